"""The derivative engine: the function table, the Step types, derive, Derivation and the tidy-up."""
