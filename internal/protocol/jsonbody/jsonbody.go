// Package jsonbody decodes JSON request bodies the way AWS's JSON protocols
// (REST-JSON and awsJson) read them: a JSON object, exact member names,
// unknown members ignored, and SerializationException for anything else.
//
// It must import only the standard library and apierr.
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
)

// CodeSerialization is the exception for a body that is not a JSON object of
// the operation's input shape (Smithy restJson1's malformed-request answer).
const CodeSerialization = "SerializationException"

// Decode unmarshals body, which must be a JSON object (an empty body counts
// as {}), into v. Malformed JSON, bad UTF-8, a non-object and members of the
// wrong type give a SerializationException; unknown members are ignored.
func Decode(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if !utf8.Valid(trimmed) {
		return apierr.New(CodeSerialization, "Request body is not valid UTF-8.")
	}
	if trimmed[0] != '{' {
		return apierr.New(CodeSerialization, "Request body must be a JSON object.")
	}
	if !json.Valid(trimmed) { // before exactKeys, which trusts its input
		return apierr.New(CodeSerialization, "Request body is not valid JSON.")
	}
	if err := json.Unmarshal(exactKeys(trimmed, v), v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return apierr.New(CodeSerialization, fmt.Sprintf("Unexpected value type for member '%s': expected %s.", field, jsonKind(te.Type.Kind().String())))
		}
		return apierr.New(CodeSerialization, "Request body is not valid JSON.")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int32", "int64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	}
	return goKind
}
