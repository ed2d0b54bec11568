package server

import "sync"

// Hooks for the tests of package server_test.

// ResetQueueSize is how many forgotten-password requests may wait for the background worker.
const ResetQueueSize = resetQueueSize

// HoldResetLinks keeps the background worker of forgotten-password requests
// busy until release: the requests queued meanwhile wait, in order.
func (s *Server) HoldResetLinks() (release func()) {
	started, held := make(chan struct{}), make(chan struct{})
	if !s.resetLinks.add(func() { close(started); <-held }) {
		panic("the queue of forgotten-password requests is full or closed")
	}
	<-started
	return sync.OnceFunc(func() { close(held) })
}

// WaitResetLinks returns once the forgotten-password requests queued so far
// are done, waiting for room in the queue if it is full.
func (s *Server) WaitResetLinks() {
	done := make(chan struct{})
	s.resetLinks.jobs <- func() { close(done) }
	<-done
}
