//! Tests of the `tessera` binary.
#![cfg(feature = "cli")]
