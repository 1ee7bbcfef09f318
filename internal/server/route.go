package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/protocol/awsjson"
	"github.com/accountplane/accountplane/internal/protocol/query"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
	"github.com/accountplane/accountplane/internal/protocol/restxml"
	"github.com/accountplane/accountplane/internal/sigv4"
)

// codec is one protocol's encoder (internal/protocol/*).
type codec interface {
	WriteResult(w http.ResponseWriter, op string, out any, requestID string) error
	WriteErr(w http.ResponseWriter, e *apierr.Error, requestID string)
}

// service is an operation.Service ready to route to.
type service struct {
	*operation.Service
	codec codec
	ops   map[string]*operation.Operation // by name
}

// routes finds the service and operation of a request.
type routes struct {
	byTarget map[string]*service // X-Amz-Target prefix
	byPath   map[string]*service // REST-JSON path (POST)
	opByPath map[string]*operation.Operation
	query    map[string]*service // query services by signing name
	// defaults answer requests that name no service, per protocol.
	defaults map[operation.Protocol]*service
	// byScope are the REST-XML services (S3), routed by the credential
	// scope's service; their operations by "METHOD /path".
	byScope map[string]*service
	// invocable are the routes of every operation of every service, HTTP
	// and in-process, by "service/operation" (for Invoke).
	invocable map[string]route
	services  map[string]*service
}

func newRoutes(svcs []operation.Service) (*routes, error) {
	rt := &routes{byTarget: map[string]*service{}, byPath: map[string]*service{}, opByPath: map[string]*operation.Operation{},
		query: map[string]*service{}, defaults: map[operation.Protocol]*service{}, invocable: map[string]route{}, byScope: map[string]*service{}}
	for i := range svcs {
		svc := &service{Service: &svcs[i], ops: map[string]*operation.Operation{}}
		for j := range svc.Operations {
			op := &svc.Operations[j]
			key := svc.Name + "/" + op.Name
			if _, dup := rt.invocable[key]; dup {
				return nil, fmt.Errorf("server: operation %s is described twice", key)
			}
			rt.invocable[key] = route{svc: svc, proto: svc.Protocol, name: op.Name, op: op}
		}
		if svc.InProcess {
			svc.codec = &awsjson.Codec{Status: svc.Status}
			continue
		}
		switch svc.Protocol {
		case operation.RESTJSON:
			svc.codec = &restjson.Codec{Status: svc.Status, InternalCode: svc.InternalFailure}
		case operation.AWSJSON:
			svc.codec = &awsjson.Codec{Status: svc.Status}
		case operation.Query:
			svc.codec = &query.Codec{Xmlns: svc.Xmlns, Status: svc.Status}
			rt.query[svc.Name] = svc
		case operation.RESTXML:
			svc.codec = &restxml.Codec{Status: svc.Status}
			rt.byScope[svc.Name] = svc
		}
		if _, ok := rt.defaults[svc.Protocol]; !ok {
			rt.defaults[svc.Protocol] = svc
		}
		for _, p := range svc.Targets {
			rt.byTarget[p] = svc
		}
		for j := range svc.Operations {
			op := &svc.Operations[j]
			svc.ops[op.Name] = op
			if svc.Protocol == operation.RESTXML {
				svc.ops[op.Method+" "+op.Path] = op
			} else if op.Path != "" {
				rt.byPath[op.Path] = svc
				rt.opByPath[op.Path] = op
			}
		}
	}
	// A request that names no known service is answered in its protocol's
	// shape with a generic unknown-operation error.
	if _, ok := rt.defaults[operation.AWSJSON]; !ok {
		rt.defaults[operation.AWSJSON] = &service{Service: &operation.Service{Protocol: operation.AWSJSON}, codec: &awsjson.Codec{}}
	}
	return rt, nil
}

// route is where one request goes.
type route struct {
	svc *service // nil: no service (the request names none known)
	// proto is the protocol errors are written in.
	proto operation.Protocol
	// name is the operation the request names ("" until known, for the
	// query protocol, whose Action is in the body).
	name string
	// op is the operation, nil if the service has none of that name.
	op *operation.Operation
	// params are the query protocol's parameters.
	params url.Values
}

func (rt route) codec() codec {
	if rt.svc != nil {
		return rt.svc.codec
	}
	if rt.proto == operation.Query {
		return &query.Codec{Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/"}
	}
	return &awsjson.Codec{}
}

// unknown is the answer to a request whose operation the service lacks.
func (rt route) unknown(r *http.Request) *apierr.Error {
	switch {
	case rt.svc == nil || rt.svc.Unknown == nil:
		return apierr.New("UnknownOperationException", "Operation "+rt.name+" is not supported by this endpoint.")
	case (rt.proto == operation.RESTJSON || rt.proto == operation.RESTXML) && rt.name == "":
		return rt.svc.Unknown(r.Method + " " + r.URL.Path)
	}
	return rt.svc.Unknown(rt.name)
}

// classify routes r by its shape, before its body is read: X-Amz-Target,
// then a REST-XML service (S3) named by the credential scope, by method
// and path, then the query protocol (a form body or an Action parameter,
// addressed to the service of the credential scope), then the REST-JSON
// path. Two X-Amz-Target headers, or two Action parameters, are refused.
func (rts *routes) classify(r *http.Request) (route, *apierr.Error) {
	if ts := r.Header.Values("X-Amz-Target"); len(ts) > 0 {
		if len(ts) > 1 {
			return route{proto: operation.AWSJSON, svc: rts.defaults[operation.AWSJSON]},
				apierr.New(restjson.CodeSerialization, "The request has more than one X-Amz-Target header.")
		}
		t := ts[0]
		for prefix, svc := range rts.byTarget {
			if name, ok := strings.CutPrefix(t, prefix); ok {
				return route{svc: svc, proto: svc.Protocol, name: name, op: svc.ops[name]}, nil
			}
		}
		return route{proto: operation.AWSJSON, svc: nil, name: t}, nil
	}
	if _, _, name, _ := sigv4.Scope(r); rts.byScope[name] != nil {
		svc := rts.byScope[name]
		rt := route{svc: svc, proto: operation.RESTXML, op: svc.ops[r.Method+" "+r.URL.Path]}
		if rt.op != nil {
			rt.name = rt.op.Name
		}
		return rt, nil
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || r.URL.Query().Has("Action") {
		// The query services here are STS and IAM; a scope naming anything
		// else is a signature for the wrong service, answered as STS.
		_, _, name, _ := sigv4.Scope(r)
		svc := rts.query[name]
		if svc == nil {
			svc = rts.query["sts"]
		}
		rt := route{svc: svc, proto: operation.Query}
		if vs := r.URL.Query()["Action"]; len(vs) > 1 {
			return rt, duplicateAction()
		}
		return rt, nil
	}
	svc := rts.byPath[r.URL.Path]
	op := rts.opByPath[r.URL.Path]
	if svc == nil || r.Method != http.MethodPost {
		svc, op = rts.defaults[operation.RESTJSON], nil
	}
	rt := route{svc: svc, proto: operation.RESTJSON, op: op}
	if op != nil {
		rt.name = op.Name
	}
	return rt, nil
}

// named completes a query-protocol route from its parameters: the Action
// (exactly one, counting one left in the URL of a form POST) and the
// Version (the service's, or none).
func (rt route) named(params, urlQuery url.Values) (route, *apierr.Error) {
	rt.params = params
	actions := params["Action"]
	if len(actions) > 1 || (len(actions) == 1 && len(urlQuery["Action"]) > 0 && !sameValues(params, urlQuery)) {
		return rt, duplicateAction()
	}
	if len(actions) == 1 {
		rt.name = actions[0]
	}
	if rt.svc == nil {
		return rt, nil
	}
	if v := params.Get("Version"); v != "" && v != rt.svc.Version {
		return rt, apierr.New("InvalidAction", "Could not find operation "+rt.name+" for version "+v)
	}
	rt.op = rt.svc.ops[rt.name]
	return rt, nil
}

func duplicateAction() *apierr.Error {
	return apierr.New("MalformedQueryString", "The request names more than one Action.")
}

// sameValues reports whether a and b are the same parameters (a GET's
// query is both the URL's and the request's).
func sameValues(a, b url.Values) bool { return a.Encode() == b.Encode() }
