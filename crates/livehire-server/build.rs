//! The dashboard's messages are compiled in from `locales/` (Fluent files):
//! rebuild whenever one is added, removed or edited.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
