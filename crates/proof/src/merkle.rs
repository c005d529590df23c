//! The transparency log's Merkle tree: RFC 6962 / RFC 9162 §2.1 hashing,
//! inclusion proofs and consistency proofs.
//!
//! Leaves are hashed `SHA-256(0x00 || data)` and interior nodes
//! `SHA-256(0x01 || left || right)`; the prefixes keep a leaf from ever
//! being passed off as a node (second-preimage attack). A tree of `n`
//! leaves splits at the largest power of two below `n`, so the tree is fixed
//! by its size alone and any earlier tree is a prefix of a later one — which
//! is what makes consistency proofs possible.
//!
//! Proof generation here recomputes subtree hashes from the leaf hashes
//! (O(n) per proof). That is ample for a log that gains an entry per
//! decision and per published version; a log of millions of entries would
//! cache interior nodes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A SHA-256 value, written in JSON as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(s: &str) -> Result<Hash, MerkleError> {
        let bytes = hex::decode(s).map_err(|_| MerkleError::BadHash(s.to_string()))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| MerkleError::BadHash(s.to_string()))?;
        Ok(Hash(arr))
    }

    /// Plain SHA-256 of some bytes (not a leaf hash).
    pub fn sha256(data: &[u8]) -> Hash {
        Hash(Sha256::digest(data).into())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        Hash::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MerkleError {
    #[error("{0:?} is not a SHA-256 value (64 hex digits)")]
    BadHash(String),
    #[error("leaf {index} is not in a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a tree of {old} leaves cannot be a prefix of a tree of {new} leaves")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("the proof has {0} hashes, which does not fit the tree sizes")]
    WrongLength(usize),
    #[error("the proof leads to root {computed}, not to the head's root {expected}")]
    RootMismatch { computed: Hash, expected: Hash },
    #[error(
        "the proof leads to an earlier root {computed}, not to the earlier head's root {expected}"
    )]
    EarlierRootMismatch { computed: Hash, expected: Hash },
    #[error("the tree has only {have} leaves, {want} requested")]
    TooFewLeaves { have: u64, want: u64 },
}

/// RFC 6962 leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The hash of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Hash::sha256(&[])
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH over already-hashed leaves.
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// An inclusion proof: the audit path from leaf `leaf_index` to the root of
/// the tree of `tree_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub hashes: Vec<Hash>,
}

/// A consistency proof that the tree of `from_size` leaves is a prefix of the
/// tree of `to_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub from_size: u64,
    pub to_size: u64,
    pub hashes: Vec<Hash>,
}

/// An append-only list of leaf hashes that answers for roots and proofs at
/// any of its past sizes.
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    leaves: Vec<Hash>,
}

impl MerkleTree {
    pub fn new() -> MerkleTree {
        MerkleTree::default()
    }

    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> MerkleTree {
        MerkleTree { leaves }
    }

    /// Appends a leaf's data; returns its index.
    pub fn push(&mut self, data: &[u8]) -> u64 {
        self.leaves.push(leaf_hash(data));
        self.len() - 1
    }

    pub fn len(&self) -> u64 {
        self.leaves.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.leaves.get(usize::try_from(index).ok()?).copied()
    }

    fn prefix(&self, size: u64) -> Result<&[Hash], MerkleError> {
        let n = usize::try_from(size)
            .ok()
            .filter(|n| *n <= self.leaves.len())
            .ok_or(MerkleError::TooFewLeaves {
                have: self.len(),
                want: size,
            })?;
        Ok(&self.leaves[..n])
    }

    /// The root of the tree as it was at `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        Ok(root_of(self.prefix(size)?))
    }

    pub fn root(&self) -> Hash {
        root_of(&self.leaves)
    }

    /// RFC 9162 §2.1.3.1 PATH(m, D[n]).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, MerkleError> {
        let leaves = self.prefix(size)?;
        if index >= size {
            return Err(MerkleError::IndexOutOfRange { index, size });
        }
        let mut hashes = Vec::new();
        path(index as usize, leaves, &mut hashes);
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: size,
            hashes,
        })
    }

    /// RFC 9162 §2.1.4.1 PROOF(m, D[n]).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<ConsistencyProof, MerkleError> {
        let leaves = self.prefix(new)?;
        if old > new {
            return Err(MerkleError::SizesOutOfOrder { old, new });
        }
        let mut hashes = Vec::new();
        if old > 0 && old < new {
            subproof(old as usize, leaves, true, &mut hashes);
        }
        Ok(ConsistencyProof {
            from_size: old,
            to_size: new,
            hashes,
        })
    }
}

fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root_of(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root_of(&leaves[..k]));
    }
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root_of(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root_of(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root_of(&leaves[..k]));
    }
}

/// RFC 9162 §2.1.3.2: checks that `leaf` sits at `proof.leaf_index` of the
/// tree whose root is `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    proof: &InclusionProof,
    root: &Hash,
) -> Result<(), MerkleError> {
    let (index, size) = (proof.leaf_index, proof.tree_size);
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in &proof.hashes {
        if snode == 0 {
            return Err(MerkleError::WrongLength(proof.hashes.len()));
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(MerkleError::WrongLength(proof.hashes.len()));
    }
    if r != *root {
        return Err(MerkleError::RootMismatch {
            computed: r,
            expected: *root,
        });
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: checks that the tree of `proof.from_size` leaves with
/// root `old_root` is a prefix of the tree of `proof.to_size` leaves with
/// root `new_root` — the log only grew.
pub fn verify_consistency(
    proof: &ConsistencyProof,
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), MerkleError> {
    let (old, new) = (proof.from_size, proof.to_size);
    if old > new {
        return Err(MerkleError::SizesOutOfOrder { old, new });
    }
    if old == new {
        if !proof.hashes.is_empty() {
            return Err(MerkleError::WrongLength(proof.hashes.len()));
        }
        if old_root != new_root {
            return Err(MerkleError::RootMismatch {
                computed: *old_root,
                expected: *new_root,
            });
        }
        return Ok(());
    }
    if old == 0 {
        // The empty tree is a prefix of every tree.
        if !proof.hashes.is_empty() {
            return Err(MerkleError::WrongLength(proof.hashes.len()));
        }
        return Ok(());
    }
    if proof.hashes.is_empty() {
        return Err(MerkleError::WrongLength(0));
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.hashes.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(&proof.hashes);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(MerkleError::WrongLength(proof.hashes.len()));
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(MerkleError::WrongLength(proof.hashes.len()));
    }
    if fr != *old_root {
        return Err(MerkleError::EarlierRootMismatch {
            computed: fr,
            expected: *old_root,
        });
    }
    if sr != *new_root {
        return Err(MerkleError::RootMismatch {
            computed: sr,
            expected: *new_root,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The leaves of the certificate-transparency reference tests (Google's
    /// C++/Go CT code, reused in Trillian's `merkle` package tests).
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    /// MTH of the first 1..=8 of those leaves.
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn reference_tree() -> MerkleTree {
        let mut t = MerkleTree::new();
        for l in LEAVES {
            t.push(&hex::decode(l).unwrap());
        }
        t
    }

    fn h(s: &str) -> Hash {
        Hash::from_hex(s).unwrap()
    }

    #[test]
    fn the_empty_tree_hashes_to_sha256_of_nothing() {
        assert_eq!(
            MerkleTree::new().root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn roots_match_the_certificate_transparency_reference_vectors() {
        let t = reference_tree();
        for (i, want) in ROOTS.iter().enumerate() {
            assert_eq!(
                t.root_at(i as u64 + 1).unwrap().to_hex(),
                *want,
                "size {}",
                i + 1
            );
        }
    }

    #[test]
    fn inclusion_proofs_match_the_reference_vectors() {
        let t = reference_tree();
        let cases: [(u64, u64, &[&str]); 4] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (index, size, want) in cases {
            let p = t.inclusion_proof(index, size).unwrap();
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            assert_eq!(p.hashes, want, "leaf {index} of {size}");
            let root = h(ROOTS[size as usize - 1]);
            verify_inclusion(&t.leaf(index).unwrap(), &p, &root).unwrap();
        }
    }

    #[test]
    fn consistency_proofs_match_the_reference_vectors() {
        let t = reference_tree();
        let cases: [(u64, u64, &[&str]); 3] = [
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (old, new, want) in cases {
            let p = t.consistency_proof(old, new).unwrap();
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            assert_eq!(p.hashes, want, "{old} -> {new}");
            verify_consistency(&p, &h(ROOTS[old as usize - 1]), &h(ROOTS[new as usize - 1]))
                .unwrap();
        }
    }

    #[test]
    fn a_proof_against_the_wrong_size_or_leaf_fails() {
        let t = reference_tree();
        let root = t.root();
        let p = t.inclusion_proof(5, 8).unwrap();
        let leaf = t.leaf(5).unwrap();
        for (index, size) in [(4, 8), (6, 8), (5, 16), (5, 4)] {
            let q = InclusionProof {
                leaf_index: index,
                tree_size: size,
                hashes: p.hashes.clone(),
            };
            assert!(
                verify_inclusion(&leaf, &q, &root).is_err(),
                "{index}/{size}"
            );
        }
        assert!(verify_inclusion(&leaf_hash(b"WrongLeaf"), &p, &root).is_err());
        let mut longer = p.clone();
        longer.hashes.push(root);
        assert!(verify_inclusion(&leaf, &longer, &root).is_err());
    }

    #[test]
    fn a_rewritten_history_fails_the_consistency_check() {
        let t = reference_tree();
        let mut rewritten = MerkleTree::new();
        for (i, l) in LEAVES.iter().enumerate() {
            let data = if i == 2 {
                b"rewritten".to_vec()
            } else {
                hex::decode(l).unwrap()
            };
            rewritten.push(&data);
        }
        // The platform's earlier head said size 3 with the honest root; the
        // rewritten log cannot prove it grew from that head.
        let p = rewritten.consistency_proof(3, 8).unwrap();
        let err = verify_consistency(&p, &t.root_at(3).unwrap(), &rewritten.root()).unwrap_err();
        assert!(
            matches!(err, MerkleError::EarlierRootMismatch { .. }),
            "{err}"
        );
    }

    #[test]
    fn equal_sizes_need_equal_roots_and_an_empty_proof() {
        let t = reference_tree();
        let p = t.consistency_proof(8, 8).unwrap();
        assert!(p.hashes.is_empty());
        verify_consistency(&p, &t.root(), &t.root()).unwrap();
        assert!(verify_consistency(&p, &t.root_at(7).unwrap(), &t.root()).is_err());
    }

    fn tree_of(n: usize) -> MerkleTree {
        let mut t = MerkleTree::new();
        for i in 0..n {
            t.push(format!("entry {i}").as_bytes());
        }
        t
    }

    proptest! {
        #[test]
        fn every_generated_inclusion_proof_verifies_and_a_tampered_one_fails(
            n in 1usize..70, seed in any::<u64>(), flip in any::<u8>()
        ) {
            let t = tree_of(n);
            let index = seed % n as u64;
            let p = t.inclusion_proof(index, n as u64).unwrap();
            let leaf = t.leaf(index).unwrap();
            prop_assert!(verify_inclusion(&leaf, &p, &t.root()).is_ok());
            if !p.hashes.is_empty() {
                let mut bad = p.clone();
                let i = seed as usize % bad.hashes.len();
                bad.hashes[i].0[flip as usize % 32] ^= 1 << (flip % 8);
                prop_assert!(verify_inclusion(&leaf, &bad, &t.root()).is_err());
            }
            let mut other = leaf;
            other.0[0] ^= 1;
            prop_assert!(verify_inclusion(&other, &p, &t.root()).is_err());
        }

        #[test]
        fn every_generated_consistency_proof_verifies_and_a_tampered_one_fails(
            new in 1usize..70, seed in any::<u64>(), flip in any::<u8>()
        ) {
            let t = tree_of(new);
            let old = 1 + seed % new as u64;
            let p = t.consistency_proof(old, new as u64).unwrap();
            let (r1, r2) = (t.root_at(old).unwrap(), t.root());
            prop_assert!(verify_consistency(&p, &r1, &r2).is_ok());
            if !p.hashes.is_empty() {
                let mut bad = p.clone();
                let i = seed as usize % bad.hashes.len();
                bad.hashes[i].0[flip as usize % 32] ^= 1 << (flip % 8);
                prop_assert!(verify_consistency(&bad, &r1, &r2).is_err());
                let mut short = p.clone();
                short.hashes.pop();
                prop_assert!(verify_consistency(&short, &r1, &r2).is_err());
            }
            if (old as usize) < new {
                let mut wrong = r1;
                wrong.0[0] ^= 1;
                prop_assert!(verify_consistency(&p, &wrong, &r2).is_err());
            }
        }
    }
}
