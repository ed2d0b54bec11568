package main

import (
	"context"
	"fmt"
	"os"
	"syscall"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	"github.com/ptacycle/ptacycle/notify"
)

// Test hook for the reliability tests, off unless set: the process SIGKILLs itself right after that activity's first success (before reporting it) or, with "email", after the SMTP server accepted a message (before the outbox records it).
const crashAfterVariable = "PTACYCLE_TEST_CRASH_AFTER"

// crashEmail names the e-mail delivery as the crash point.
const crashEmail = "email"

type crashHook struct{ after string }

// crashHookFrom returns the hook the environment asks for, or nil.
func crashHookFrom(getenv func(string) string) *crashHook {
	if after := getenv(crashAfterVariable); after != "" {
		return &crashHook{after: after}
	}
	return nil
}

func (h *crashHook) crash(what string) {
	fmt.Fprintf(os.Stderr, "ptacycle: %s=%s: killed after %s\n", crashAfterVariable, h.after, what)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way
}

// interceptors returns the worker interceptor of the hook (none without one).
func (h *crashHook) interceptors() []interceptor.WorkerInterceptor {
	if h == nil || h.after == crashEmail {
		return nil
	}
	return []interceptor.WorkerInterceptor{&crashInterceptor{hook: h}}
}

// email wraps the e-mail transport with the hook when it targets delivery.
func (h *crashHook) email(t notify.Transport) notify.Transport {
	if h == nil || h.after != crashEmail || t == nil {
		return t
	}
	return crashingTransport{Transport: t, hook: h}
}

type crashInterceptor struct {
	interceptor.WorkerInterceptorBase
	hook *crashHook
}

func (c *crashInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &crashingActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, hook: c.hook}
}

type crashingActivity struct {
	interceptor.ActivityInboundInterceptorBase
	hook *crashHook
}

func (a *crashingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	if name := activity.GetInfo(ctx).ActivityType.Name; err == nil && name == a.hook.after {
		a.hook.crash("activity " + name)
	}
	return res, err
}

type crashingTransport struct {
	notify.Transport
	hook *crashHook
}

func (t crashingTransport) Send(ctx context.Context, m notify.Message) error {
	err := t.Transport.Send(ctx, m)
	if err == nil {
		t.hook.crash("delivering " + m.Key)
	}
	return err
}
