package console

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/url"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/uuid"
)

// userAgent is the userAgent of the console's CloudTrail records: AWS
// records most calls its console makes for a user as "AWS Internal".
const userAgent = "AWS Internal"

// callError is a failed call: the AWS exception and the request id its
// decision is kept under.
type callError struct {
	E         *apierr.Error
	Code      string
	Message   string
	Fields    []apierr.Field
	RequestID string
}

func (e *callError) Error() string { return e.E.Error() }
func (e *callError) Unwrap() error { return e.E }

// call runs service's operation op for the session's principal through
// the pipeline. in is the wire input: a value marshalled to the JSON body
// (JSON protocols) or url.Values (query protocol); out, if not nil,
// receives the wire output, decoded as a client would decode it. A
// failure the client would be told is a *callError.
func (c *Console) call(r *http.Request, s *session, service, op string, in, out any) error {
	return c.callAs(r, s.caller, service, op, in, out)
}

// callAs is call for caller, a principal other than the session's (a
// privileged root session the signed-in principal started).
func (c *Console) callAs(r *http.Request, caller identity.Principal, service, op string, in, out any) error {
	var input operation.Input
	switch v := in.(type) {
	case url.Values:
		input.Params = v
	case nil:
		input.Body = []byte("{}")
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		input.Body = b
	}
	meta := server.RequestMeta{
		RequestID: uuid.New(), SourceIP: clientIP(r), UserAgent: userAgent,
		TLS: r.TLS, Host: r.Host, FromConsole: true,
	}
	res, err := c.cfg.Invoker.Invoke(r.Context(), caller, service, op, input, meta)
	if err != nil {
		if e, ok := apierr.As(err); ok {
			return &callError{E: e, Code: e.Code, Message: e.Message, Fields: e.Fields, RequestID: meta.RequestID}
		}
		return err
	}
	if out == nil || res == nil {
		return nil
	}
	if _, isQuery := in.(url.Values); isQuery {
		b, err := xml.Marshal(res)
		if err != nil {
			return err
		}
		return xml.Unmarshal(b, out)
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// clientIP is the browser's address.
func clientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// failure turns a call's error into a flash, or returns it if it is not a
// client-visible failure.
func failure(err error) (flash, error) {
	var ce *callError
	if errors.As(err, &ce) {
		f := flash{Kind: "error", Title: ce.Code, Message: ce.Message, RequestID: ce.RequestID}
		if isAccessDenied(ce.Code) {
			f.Title = "Access denied"
		}
		for _, fe := range ce.Fields {
			if fe.Message != "" && fe.Message != ce.Message {
				f.Message += " " + fe.Name + ": " + fe.Message
			}
		}
		return f, nil
	}
	return flash{}, err
}

func isAccessDenied(code string) bool {
	return code == "AccessDeniedException" || code == "AccessDenied"
}

// act runs a change for a form and flashes its outcome: success on nil,
// the AWS error otherwise. It returns only errors that are not AWS's.
func (c *Console) act(s *session, err error, success string) error {
	if err == nil {
		if success != "" {
			s.addFlash(flash{Kind: "success", Message: success})
		}
		return nil
	}
	f, err := failure(err)
	if err != nil {
		return err
	}
	s.addFlash(f)
	return nil
}
