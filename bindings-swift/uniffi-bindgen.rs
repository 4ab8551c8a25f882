//! The UniFFI binding generator, built from this workspace so its version always matches the
//! `uniffi` the library was built with. Used by scripts/generate-mobile-bindings.sh.
fn main() {
    uniffi::uniffi_bindgen_main()
}
