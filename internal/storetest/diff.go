package storetest

import (
	"fmt"
	"reflect"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// diff describes the first difference between got and want, or returns "".
// Times are equal if they are the same instant; a non-zero time in got must
// also be in UTC. Nil and empty slices are equal.
func diff(got, want any) string {
	return diffValue("", reflect.ValueOf(got), reflect.ValueOf(want))
}

func diffValue(path string, got, want reflect.Value) string {
	name := path
	if name == "" {
		name = "value"
	}
	if !got.IsValid() || !want.IsValid() {
		if got.IsValid() != want.IsValid() {
			return fmt.Sprintf("%s: got %v, want %v", name, got, want)
		}
		return ""
	}
	if got.Type() != want.Type() {
		return fmt.Sprintf("%s: got type %s, want %s", name, got.Type(), want.Type())
	}
	if got.Type() == timeType {
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if !g.Equal(w) {
			return fmt.Sprintf("%s: got %s, want %s", name, g.Format(time.RFC3339Nano), w.Format(time.RFC3339Nano))
		}
		if !g.IsZero() && g.Location() != time.UTC {
			return fmt.Sprintf("%s: got location %s, want UTC", name, g.Location())
		}
		return ""
	}
	switch got.Kind() {
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return fmt.Sprintf("%s: got %v, want %v", name, got, want)
			}
			return ""
		}
		return diffValue(path, got.Elem(), want.Elem())
	case reflect.Struct:
		for i := range got.NumField() {
			f := got.Type().Field(i).Name
			if path != "" {
				f = path + "." + f
			}
			if d := diffValue(f, got.Field(i), want.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if got.Len() != want.Len() {
			return fmt.Sprintf("%s: got %d elements, want %d", name, got.Len(), want.Len())
		}
		for i := range got.Len() {
			if d := diffValue(fmt.Sprintf("%s[%d]", name, i), got.Index(i), want.Index(i)); d != "" {
				return d
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			return fmt.Sprintf("%s: got %#v, want %#v", name, got.Interface(), want.Interface())
		}
		return ""
	}
}

// deref returns *v for a non-nil pointer v, for printing.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}
