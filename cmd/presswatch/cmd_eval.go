package main

import (
	"context"
	"fmt"
)

// cmdEval dispatches `presswatch eval extraction|classifier`.
func cmdEval(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: presswatch eval extraction|classifier [flags]", errUsage)
	}
	switch args[0] {
	case "extraction":
		return evalExtraction(ctx, g, args[1:])
	case "classifier":
		return evalClassifier(ctx, g, args[1:])
	default:
		return fmt.Errorf("%w: unknown evaluation %q: want extraction or classifier", errUsage, args[0])
	}
}
