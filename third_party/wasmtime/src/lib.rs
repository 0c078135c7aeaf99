//! Re-export wasmtime's C API so that this crate's staticlib carries every
//! `wasm_*` and `wasmtime_*` symbol.
pub use wasmtime_c_api::*;
