//! No input panics the parser: random bytes, and mutations of valid
//! manifests (the inputs that get deep into the state machine). Case counts
//! are bounded so the suite stays within a few seconds.

use accord_paxlst::builder::{ManifestBuilder, generated};
use accord_paxlst::{Separators, parse};
use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    let mut custom = ManifestBuilder::example();
    custom.separators = Separators {
        component: b'|',
        element: b'*',
        decimal: b',',
        release: Some(b'\\'),
        terminator: b'~',
    };
    let mut small = ManifestBuilder::default().message(generated("G1", 3));
    small.group = false;
    vec![
        ManifestBuilder::example().build().into_bytes(),
        custom.build().into_bytes(),
        small.build().into_bytes(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, u8),
    Truncate(usize),
    DuplicateRange(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(vec![
        b'\'', b'+', b':', b'?', b'~', b'*', b'|', b'\\', b'\n', b' ', b'0', b'9', b'A', 0xff, 0xc3,
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), special).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..80).prop_map(|(i, n)| Mutation::DuplicateRange(i, n)),
    ]
}

fn apply(mut v: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if v.is_empty() {
            break;
        }
        let len = v.len();
        match *m {
            Mutation::Flip(i, b) => v[i % len] = b,
            Mutation::Delete(i, n) => {
                let i = i % len;
                v.drain(i..(i + n).min(len));
            }
            Mutation::Insert(i, b) => v.insert(i % (len + 1), b),
            Mutation::Truncate(i) => v.truncate(i % len),
            Mutation::DuplicateRange(i, n) => {
                let i = i % len;
                let piece = v[i..(i + n).min(len)].to_vec();
                v.splice(i..i, piece);
            }
        }
    }
    v
}

fn check(input: &[u8]) {
    if let Ok(p) = parse(input) {
        for m in &p.manifest.messages {
            assert!(!m.flight.legs.is_empty());
            for (i, t) in m.travellers.iter().enumerate() {
                assert_eq!(t.number as usize, i + 1);
                assert!(!t.surname.is_empty());
            }
        }
    }
}

proptest! {
    // 400 cases by default; `FUZZ_CASES=100000` (or `PROPTEST_CASES`, as
    // the other harnesses) for a longer hunt.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("FUZZ_CASES")
            .or_else(|_| std::env::var("PROPTEST_CASES"))
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(400)
    ))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
        let mut with_header = b"UNA:+.? 'UNB+UNOA:4+A+B+260115:0910+1'UNH+1+PAXLST:D:05B'BGM+745'".to_vec();
        with_header.extend_from_slice(&bytes);
        check(&with_header);
    }

    #[test]
    fn mutated_manifests_never_panic(
        seed in 0usize..3,
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        let input = apply(seeds()[seed].clone(), &muts);
        check(&input);
    }
}
