//! The dashboard's messages are compiled in from `locales/` (Fluent files),
//! and its assets from `src/web/assets/`: rebuild whenever one is added,
//! removed or edited.

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=src/web/assets");
}
