package devtemporal

import (
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// stopLogger passes everything to its logger but, once the server is
// stopping, logs warnings at debug level: services that stop one after the
// other warn that they cannot reach each other, which is expected then.
type stopLogger struct {
	base     log.Logger // what With builds on
	out      log.Logger // base, skipping one frame more so that logging-call-at names our caller
	stopping *atomic.Bool
}

func newStopLogger(base log.Logger, stopping *atomic.Bool) *stopLogger {
	out := base
	if s, ok := base.(log.SkipLogger); ok {
		out = s.Skip(1)
	}
	return &stopLogger{base: base, out: out, stopping: stopping}
}

func (l *stopLogger) Debug(msg string, tags ...tag.Tag)  { l.out.Debug(msg, tags...) }
func (l *stopLogger) Info(msg string, tags ...tag.Tag)   { l.out.Info(msg, tags...) }
func (l *stopLogger) Error(msg string, tags ...tag.Tag)  { l.out.Error(msg, tags...) }
func (l *stopLogger) DPanic(msg string, tags ...tag.Tag) { l.out.DPanic(msg, tags...) }
func (l *stopLogger) Panic(msg string, tags ...tag.Tag)  { l.out.Panic(msg, tags...) }
func (l *stopLogger) Fatal(msg string, tags ...tag.Tag)  { l.out.Fatal(msg, tags...) }

func (l *stopLogger) Warn(msg string, tags ...tag.Tag) {
	if l.stopping.Load() {
		l.out.Debug(msg, tags...)
		return
	}
	l.out.Warn(msg, tags...)
}

func (l *stopLogger) With(tags ...tag.Tag) log.Logger {
	return newStopLogger(log.With(l.base, tags...), l.stopping)
}
