"""Single- and multivariable calculus built from Derivations: gradients, Jacobians, Hessians,
first principles, gradient descent and practice sets."""
