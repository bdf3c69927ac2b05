package store_test

import (
	"context"
	"testing"

	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

func TestPostgresConformance(t *testing.T) {
	testenv.PostgresURL(t) // skips the whole run when PRESSWATCH_TEST_POSTGRES is unset
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.OpenPostgres(t) })
}

func TestPostgresMigrations(t *testing.T) {
	testMigrations(t, store.BackendPostgres, storetest.PostgresURL)
}

func TestPostgresConcurrentMigrate(t *testing.T) {
	url := storetest.PostgresURL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, _, err := store.Migrate(context.Background(), store.Options{URL: url})
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
	s, err := store.Open(context.Background(), store.Options{URL: url})
	if err != nil {
		t.Fatalf("Open after concurrent migrations: %v", err)
	}
	s.Close()
}
