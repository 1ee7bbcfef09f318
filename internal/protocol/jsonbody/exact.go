package jsonbody

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// encoding/json matches object keys to struct fields case-insensitively,
// but Smithy member names are case-sensitive: {"accountid": ...} is an
// unknown member, to be ignored, not AccountId. stripInexact removes such
// keys from a generic decoding of the body, so the struct decode sees only
// exact names.

// fieldSet is the exact JSON names of a struct's fields and their types.
type fieldSet map[string]reflect.Type

var fieldSets sync.Map // reflect.Type -> fieldSet

func fieldsOf(t reflect.Type) fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(fieldSet)
	}
	fs := fieldSet{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		fs[name] = f.Type
	}
	fieldSets.Store(t, fs)
	return fs
}

// stripInexact deletes, at every level of v that decodes into a struct of
// type t, the keys that name no field exactly but would match one
// case-insensitively. It reports whether it deleted any.
func stripInexact(v any, t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	changed := false
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		fs := fieldsOf(t)
		for k, val := range obj {
			if ft, ok := fs[k]; ok {
				changed = stripInexact(val, ft) || changed
				continue
			}
			for name := range fs {
				if strings.EqualFold(name, k) {
					delete(obj, k)
					changed = true
					break
				}
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, el := range arr {
			changed = stripInexact(el, t.Elem()) || changed
		}
	}
	return changed
}

// exactKeys returns body with inexact member names removed (body itself
// when there are none). body must be valid JSON.
func exactKeys(body []byte, target any) []byte {
	t := reflect.TypeOf(target)
	if t == nil || !mayHaveInexactKeys(body, target) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return body
	}
	if !stripInexact(generic, t) {
		return body
	}
	out, err := json.Marshal(generic)
	if err != nil {
		return body
	}
	return out
}

// foldedNames maps the lower-case form of every field name of a type's
// structs (at any depth) to the name; "" when two names share a form.
type foldedNames map[string]string

var treeNames sync.Map // reflect.Type -> foldedNames

func namesOf(t reflect.Type) foldedNames {
	if v, ok := treeNames.Load(t); ok {
		return v.(foldedNames)
	}
	names := foldedNames{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for name, ft := range fieldsOf(t) {
			lower := strings.ToLower(name)
			if prev, ok := names[lower]; ok && prev != name {
				names[lower] = ""
			} else {
				names[lower] = name
			}
			walk(ft)
		}
	}
	walk(t)
	treeNames.Store(t, names)
	return names
}

// mayHaveInexactKeys reports whether valid JSON body could hold a member
// name that matches a field of target only case-insensitively: false lets
// the body be decoded as it is, without the generic pass of exactKeys. It
// answers true for any key it cannot judge cheaply (escapes, non-ASCII).
func mayHaveInexactKeys(body []byte, target any) bool {
	t := reflect.TypeOf(target)
	if t == nil {
		return false
	}
	names := namesOf(t)
	var lower [64]byte
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		start := i + 1
		end := start
		simple := true
		for end < len(body) && body[end] != '"' {
			if body[end] == '\\' {
				simple = false
				end++
			} else if body[end] >= 0x80 {
				simple = false
			}
			end++
		}
		i = end
		j := end + 1
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
			j++
		}
		if j >= len(body) || body[j] != ':' {
			continue // a string value, not a member name
		}
		if !simple || end-start > len(lower) {
			return true
		}
		key := body[start:end]
		for k, c := range key {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[k] = c
		}
		if exact, ok := names[string(lower[:len(key)])]; ok && exact != string(key) {
			return true
		}
	}
	return false
}
