// Integration tests live in modules below; one binary (see Cargo.toml).
