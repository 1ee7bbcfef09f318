package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// kind describes one record type of a domain's Tx to the generic checks
// ([kind.run]). R is the record as the Tx reads it back (records the Tx
// takes apart, such as an account's alternate contact, are wrapped with
// their owner).
//
// Records are numbered: sample(s, n) is record n >= 1 of scope s >= 1.
// Distinct (s, n) give distinct keys; the records of a scope are those one
// call of list returns (an account's, an organization's...). Every third
// record (n%3 == 0) is cleared: only its key and scope fields are set.
type kind[Tx, R any] struct {
	name  string
	store func(Stores) kernel.Store[Tx]

	sample func(s, n int) R
	// key identifies a record: a comparable value (IAM names lower-cased).
	key func(R) any

	put func(ctx context.Context, tx Tx, r R) error
	// get reads the record with r's key (nil: it is found in list).
	get func(ctx context.Context, tx Tx, r R) (R, error)
	// del deletes the record with r's key (nil: the Tx cannot).
	del func(ctx context.Context, tx Tx, r R) error
	// delAbsentOK: deleting an absent record may succeed (else it fails
	// with ErrNotFound).
	delAbsentOK bool
	// list lists the records of r's scope, ordered by order (nil: the Tx
	// cannot).
	list  func(ctx context.Context, tx Tx, r R) ([]R, error)
	order func(a, b R) int

	// mutate changes every field but the key; clear empties every field
	// but the key and the scope. Both nil: every field is key, and a
	// second put keeps one record.
	mutate, clear func(R) R
	// times sets every time field (nil: none).
	times func(R, time.Time) R
	// recase returns r with its key in another case (nil: no letters to
	// change); foldCase says the Tx then finds r (else it finds nothing).
	recase   func(R) R
	foldCase bool
}

// recordSuite is a kind without its types, for Run.
type recordSuite interface {
	kindName() string
	run(t *testing.T, s Stores)
}

// sampler is a kind of a Tx without its record type: the tests that write
// every kind of a domain at once use it.
type sampler[Tx any] interface {
	recordSuite
	// putSample puts record n of scope s.
	putSample(ctx context.Context, tx Tx, s, n int) error
	// wantSample fails t unless record n of scope s is stored as put
	// (present) or absent.
	wantSample(t *testing.T, ctx context.Context, tx Tx, s, n int, present bool)
}

func (k *kind[Tx, R]) kindName() string { return k.name }

// at is record n of scope s (cleared if n%3 == 0).
func (k *kind[Tx, R]) at(s, n int) R {
	r := k.sample(s, n)
	if n%3 == 0 && k.clear != nil {
		r = k.clear(r)
	}
	return r
}

// read gets the record with r's key, through list if the Tx has no getter.
func (k *kind[Tx, R]) read(ctx context.Context, tx Tx, r R) (R, error) {
	if k.get != nil {
		return k.get(ctx, tx, r)
	}
	rs, err := k.list(ctx, tx, r)
	if err != nil {
		var zero R
		return zero, err
	}
	for _, x := range rs {
		if k.key(x) == k.key(r) {
			return x, nil
		}
	}
	var zero R
	return zero, fmt.Errorf("%s %v is not listed: %w", k.name, k.key(r), kernel.ErrNotFound)
}

// sorted returns rs in list order.
func (k *kind[Tx, R]) sorted(rs ...R) []R {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, k.order)
	return out
}

func (k *kind[Tx, R]) putSample(ctx context.Context, tx Tx, s, n int) error {
	return k.put(ctx, tx, k.at(s, n))
}

func (k *kind[Tx, R]) wantSample(t *testing.T, ctx context.Context, tx Tx, s, n int, present bool) {
	t.Helper()
	k.wantIn(t, ctx, tx, fmt.Sprintf("%s %v", k.name, k.key(k.at(s, n))), k.at(s, n), present)
}

// wantIn fails t unless tx holds r (present) or nothing with r's key.
func (k *kind[Tx, R]) wantIn(t *testing.T, ctx context.Context, tx Tx, what string, r R, present bool) {
	t.Helper()
	got, err := k.read(ctx, tx, r)
	switch {
	case !present:
		wantNotFound(t, what, err)
	case err != nil:
		t.Errorf("%s: %v", what, err)
	default:
		wantEqual(t, what, got, r)
	}
}

// run runs the generic checks on one store; each check uses scopes of its
// own (10, 20...), so they share it.
func (k *kind[Tx, R]) run(t *testing.T, s Stores) {
	st := k.store(s)
	skipUnless(t, st != nil, "store for "+k.name)
	checks := []struct {
		name string
		fn   func(c *kindTest[Tx, R])
		skip bool
	}{
		{"PutGet", (*kindTest[Tx, R]).putGet, false},
		{"Replace", (*kindTest[Tx, R]).replace, false},
		{"Delete", (*kindTest[Tx, R]).delete, k.del == nil},
		{"List", (*kindTest[Tx, R]).listOrder, k.list == nil},
		{"Rollback", (*kindTest[Tx, R]).rollback, false},
		{"ViewCannotWrite", (*kindTest[Tx, R]).viewCannotWrite, false},
		{"Times", (*kindTest[Tx, R]).roundTripTimes, k.times == nil},
	}
	for i, c := range checks {
		if c.skip {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			c.fn(&kindTest[Tx, R]{kind: k, t: t, st: st, base: 10 * (i + 1)})
		})
	}
}

// kindTest is one generic check of a kind.
type kindTest[Tx, R any] struct {
	*kind[Tx, R]
	t    *testing.T
	st   kernel.Store[Tx]
	base int // the first scope the check may use; it uses fewer than 10
}

// putAll puts rs in one Update, which must succeed.
func (c *kindTest[Tx, R]) putAll(rs ...R) {
	c.t.Helper()
	update(c.t, c.st, func(ctx context.Context, tx Tx) error {
		for _, r := range rs {
			if err := c.put(ctx, tx, r); err != nil {
				return fmt.Errorf("put %v: %w", c.key(r), err)
			}
		}
		return nil
	})
}

// want fails the check unless the store holds r (present) or nothing with
// r's key.
func (c *kindTest[Tx, R]) want(what string, r R, present bool) {
	c.t.Helper()
	view(c.t, c.st, func(ctx context.Context, tx Tx) error {
		c.wantIn(c.t, ctx, tx, what, r, present)
		return nil
	})
}

// wantList fails the check unless r's scope lists want, in list order.
func (c *kindTest[Tx, R]) wantList(what string, r R, want ...R) {
	c.t.Helper()
	if c.list == nil {
		return
	}
	got := mustRead(c.t, c.st, what, func(ctx context.Context, tx Tx) ([]R, error) { return c.list(ctx, tx, r) })
	wantEqual(c.t, what, got, c.sorted(want...))
}

func (c *kindTest[Tx, R]) delete1(r R) error {
	c.t.Helper()
	return write(c.t, c.st, func(ctx context.Context, tx Tx) error { return c.del(ctx, tx, r) })
}

// wantDeleteAbsent fails the check unless err is what deleting an absent
// record returns.
func (c *kindTest[Tx, R]) wantDeleteAbsent(what string, err error) {
	c.t.Helper()
	if c.delAbsentOK && err == nil {
		return
	}
	wantNotFound(c.t, what, err)
}

// putGet: records put in one transaction read back whole, in it and after;
// keys never put are not found.
func (c *kindTest[Tx, R]) putGet() {
	t, b := c.t, c.base
	c.want("on an empty store", c.at(b, 1), false)
	var rs []R
	for _, s := range []int{b, b + 1} {
		for n := 1; n <= 3; n++ {
			rs = append(rs, c.at(s, n))
		}
	}
	update(t, c.st, func(ctx context.Context, tx Tx) error {
		for _, r := range slices.Backward(rs) {
			if err := c.put(ctx, tx, r); err != nil {
				return fmt.Errorf("put %v: %w", c.key(r), err)
			}
		}
		for _, r := range rs {
			c.wantIn(t, ctx, tx, fmt.Sprintf("%v in the writing transaction", c.key(r)), r, true)
		}
		return nil
	})
	view(t, c.st, func(ctx context.Context, tx Tx) error {
		for _, r := range rs {
			c.wantIn(t, ctx, tx, fmt.Sprint(c.key(r)), r, true)
			if c.recase == nil {
				continue
			}
			got, err := c.read(ctx, tx, c.recase(r))
			switch {
			case !c.foldCase:
				wantNotFound(t, fmt.Sprintf("%v in another case", c.key(r)), err)
			case err != nil:
				t.Errorf("%v in another case: %v", c.key(r), err)
			default:
				wantEqual(t, fmt.Sprintf("%v in another case", c.key(r)), got, r)
			}
		}
		c.wantIn(t, ctx, tx, "another key of a scope with records", c.at(b, 4), false)
		c.wantIn(t, ctx, tx, "a key of a scope without records", c.at(b+2, 1), false)
		return nil
	})
}

// replace: a put replaces the whole record, which stays listed once, in
// the scope it now has.
func (c *kindTest[Tx, R]) replace() {
	s := c.at(c.base, 1)
	c.putAll(s)
	var vs []R
	for _, f := range []func(R) R{c.mutate, c.clear} {
		if f != nil {
			vs = append(vs, f(s))
		}
	}
	vs = append(vs, s) // back to the whole record, or the same one again
	for i, v := range vs {
		what := fmt.Sprintf("after put #%d", i+2)
		c.putAll(v)
		c.want(what, v, true)
		if c.list == nil {
			continue
		}
		// Listed once, as v, in its scope; if it moved, not left behind.
		view(c.t, c.st, func(ctx context.Context, tx Tx) error {
			for j, scope := range []R{v, s} {
				rs, err := c.list(ctx, tx, scope)
				if err != nil {
					c.t.Errorf("%s: list: %v", what, err)
					return nil
				}
				n := 0
				for _, x := range rs {
					if c.key(x) == c.key(s) {
						n++
						wantEqual(c.t, what+": listed", x, v)
					}
				}
				if n > 1 || (j == 0 && n == 0) {
					c.t.Errorf("%s: listed %d times in its scope, want once", what, n)
				}
			}
			return nil
		})
	}
}

// delete: a deleted record is gone, others stay; deleting it again, or a
// record never put, fails with ErrNotFound; it can be put again; a
// record put and deleted in one transaction is gone.
func (c *kindTest[Tx, R]) delete() {
	t, b := c.t, c.base
	s1, s2, other := c.at(b, 1), c.at(b, 2), c.at(b+1, 1)
	c.putAll(s1, s2, other)
	if err := c.delete1(s1); err != nil {
		t.Fatalf("delete: %v", err)
	}
	c.want("deleted", s1, false)
	c.want("another record of the scope", s2, true)
	c.want("a record of another scope", other, true)
	c.wantList("list after delete", s2, s2)
	c.wantDeleteAbsent("second delete", c.delete1(s1))
	c.wantDeleteAbsent("delete of a record never put", c.delete1(c.at(b, 5)))
	if c.recase != nil && c.foldCase {
		if err := c.delete1(c.recase(s2)); err != nil {
			t.Errorf("delete by the key in another case: %v", err)
		}
		c.want("deleted by the key in another case", s2, false)
	}
	c.putAll(s1)
	c.want("put again after delete", s1, true)

	s4 := c.at(b, 4)
	update(t, c.st, func(ctx context.Context, tx Tx) error {
		if err := c.put(ctx, tx, s4); err != nil {
			return err
		}
		if err := c.del(ctx, tx, s4); err != nil {
			return fmt.Errorf("delete a record put in the same transaction: %w", err)
		}
		c.wantIn(t, ctx, tx, "deleted in the writing transaction", s4, false)
		return nil
	})
	c.want("put and deleted in one transaction", s4, false)
}

// listOrder: a scope lists its records in order, whatever the order they
// were put in, and nothing of other scopes.
func (c *kindTest[Tx, R]) listOrder() {
	b := c.base
	var one, two []R
	update(c.t, c.st, func(ctx context.Context, tx Tx) error {
		for _, n := range []int{4, 1, 6, 3, 5, 2} {
			r1, r2 := c.at(b, n), c.at(b+1, n)
			one, two = append(one, r1), append(two, r2)
			if err := c.put(ctx, tx, r1); err != nil {
				return err
			}
			if err := c.put(ctx, tx, r2); err != nil {
				return err
			}
		}
		return nil
	})
	c.wantList("list of the first scope", c.at(b, 1), one...)
	c.wantList("list of the second scope", c.at(b+1, 1), two...)
	c.wantList("list of a scope without records", c.at(b+2, 1))
}

// rollback: an Update that fails or panics after adding, replacing and
// deleting records keeps nothing of it, though it read its own writes.
func (c *kindTest[Tx, R]) rollback() {
	t, b := c.t, c.base
	kept, victim, fresh := c.at(b, 1), c.at(b, 2), c.at(b, 4)
	c.putAll(kept, victim)
	changes := func(ctx context.Context, tx Tx) {
		t.Helper()
		if err := c.put(ctx, tx, fresh); err != nil {
			t.Errorf("put: %v", err)
		}
		c.wantIn(t, ctx, tx, "put in the writing transaction", fresh, true)
		if c.mutate != nil {
			m := c.mutate(kept)
			if err := c.put(ctx, tx, m); err != nil {
				t.Errorf("replace: %v", err)
			}
			c.wantIn(t, ctx, tx, "replaced in the writing transaction", m, true)
		}
		if c.del != nil {
			if err := c.del(ctx, tx, victim); err != nil {
				t.Errorf("delete: %v", err)
			}
			c.wantIn(t, ctx, tx, "deleted in the writing transaction", victim, false)
		}
	}
	wantUnchanged := func(how string) {
		t.Helper()
		c.want("put in an Update that "+how, fresh, false)
		c.want("replaced in an Update that "+how, kept, true)
		c.want("deleted in an Update that "+how, victim, true)
		c.wantList("list after an Update that "+how, kept, kept, victim)
	}

	err := c.st.Update(t.Context(), func(tx Tx) error {
		changes(t.Context(), tx)
		return errBoom
	})
	if err != errBoom { // as is, not wrapped
		t.Errorf("Update: got error %v, want the callback's error as is", err)
	}
	wantUnchanged("failed")

	if got := updatePanics(t, c.st, func(ctx context.Context, tx Tx) {
		changes(ctx, tx)
		panic(boom{42})
	}); got != (boom{42}) {
		t.Errorf("Update re-panicked with %v, want the callback's panic value", got)
	}
	wantUnchanged("panicked")

	// The store is still usable: neither left a transaction open.
	c.putAll(fresh)
	c.want("put after the rollbacks", fresh, true)
}

// viewCannotWrite: the writers of a View's Tx fail and change nothing.
func (c *kindTest[Tx, R]) viewCannotWrite() {
	t, b := c.t, c.base
	kept, victim, fresh := c.at(b, 1), c.at(b, 2), c.at(b, 4)
	c.putAll(kept, victim)
	writes := map[string]func(ctx context.Context, tx Tx) error{
		"put": func(ctx context.Context, tx Tx) error { return c.put(ctx, tx, fresh) },
	}
	if c.mutate != nil {
		writes["replace"] = func(ctx context.Context, tx Tx) error { return c.put(ctx, tx, c.mutate(kept)) }
	}
	if c.del != nil {
		writes["delete"] = func(ctx context.Context, tx Tx) error { return c.del(ctx, tx, victim) }
	}
	for name, w := range writes {
		// The View's own result is not checked: a backend may fail the
		// whole transaction once a statement in it failed.
		_ = c.st.View(t.Context(), func(tx Tx) error {
			if err := w(t.Context(), tx); err == nil {
				t.Errorf("%s in a View: got nil error, want one", name)
			}
			return nil
		})
	}
	c.want("put in a View", fresh, false)
	c.want("replaced in a View", kept, true)
	c.want("deleted in a View", victim, true)
}

// roundTripTimes: every time field keeps its instant to the nanosecond, in
// UTC, and the zero time stays zero.
func (c *kindTest[Tx, R]) roundTripTimes() {
	for i, tt := range specialTimes {
		r := c.times(c.at(c.base+i, 1), tt.at)
		c.putAll(r)
		c.want(tt.name, r, true)
		c.wantList(tt.name+": list", r, r)
	}
}
