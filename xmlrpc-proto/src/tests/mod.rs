//! State-machine tests.
