//! Prints each segment of an EDIFACT file as a JSON array of elements
//! (each an array of components), tag first: the tokenizer's view, for
//! differential checks against other tokenizers
//! (`tests/differential/pydifact_check.py`).
//!
//! `cargo run -p accord-paxlst --example segments -- FILE`, or
//! `-- --write-samples DIR` to write the builder's sample manifests there.

use std::borrow::Cow;

use accord_paxlst::Separators;
use accord_paxlst::syntax::{Segment, Tokenizer};

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// Builder-written manifests: the example, custom separators with data
/// that needs releasing, 200 generated passengers without groups.
fn write_samples(dir: &str) {
    use accord_paxlst::builder::{ManifestBuilder, generated};
    std::fs::create_dir_all(dir).expect("a writable folder");
    let mut custom = ManifestBuilder::example();
    custom.separators = Separators {
        component: b'|',
        element: b'*',
        decimal: b',',
        release: Some(b'!'),
        terminator: b'~',
    };
    custom.messages[0].travellers[0].surname = "A*B|C~D!E:F+G'H".into();
    let mut many = ManifestBuilder::default().message(generated("GEN200", 200));
    many.group = false;
    for (name, b) in [
        ("example.edi", ManifestBuilder::example()),
        ("custom.edi", custom),
        ("generated.edi", many),
    ] {
        std::fs::write(format!("{dir}/{name}"), b.build()).expect("written");
    }
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: segments FILE | --write-samples DIR");
    if path == "--write-samples" {
        write_samples(&std::env::args().nth(2).expect("a folder"));
        return;
    }
    let input = std::fs::read(&path).expect("readable file");
    let (seps, start) = if input.starts_with(b"UNA") && input.len() >= 9 {
        (Separators::from_una(&input[3..9]).expect("valid UNA"), 9)
    } else {
        (Separators::default(), 0)
    };
    for raw in Tokenizer::new(&input, start, &seps) {
        let text = String::from_utf8_lossy(raw.bytes);
        let seg = Segment::new(raw.index, raw.offset, Cow::Borrowed(&text), seps);
        let elements: Vec<String> = (0..seg.element_count())
            .map(|e| {
                let cs: Vec<String> = seg.components(e).iter().map(|c| json(c)).collect();
                format!("[{}]", cs.join(","))
            })
            .collect();
        println!("[{}]", elements.join(","));
    }
}
