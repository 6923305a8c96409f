//! JSON Web Tokens (placeholder while the core is written).
