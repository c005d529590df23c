//! Manifests screened against the UN and OFAC fixtures: listed persons
//! written the way their passports would write them (ICAO 9303
//! machine-readable zone: upper-case Latin), document numbers, order,
//! totals, CSV.

mod common;

use accord_paxlst::ListKind;
use accord_paxlst::builder::{LegSpec, ManifestBuilder, MessageSpec, TravellerSpec};
use accord_screening::{
    MANIFEST_HEADER, ManifestCsv, ManifestError, ManifestOptions, screen_manifest,
};

fn legs() -> Vec<LegSpec> {
    vec![LegSpec::new("IST", "2601151400", "NQZ", "2601152105")]
}

/// Passengers: a UN-listed Libyan with his passport; someone else carrying
/// that passport number (written with a dash); a UN-listed Afghan (the list
/// has his name in Arabic script too); an OFAC-listed Russian with the 9303
/// Cyrillic transliteration of Вячеславович; and a traveller on no list.
/// Crew: one, on no list.
fn manifest() -> String {
    let pax = MessageSpec::new("PX0100", ListKind::Passengers, "XA123", legs())
        .traveller(
            TravellerSpec::passenger("AL FITOURI", "AHMAD")
                .middle("OUMAR IMHAMAD")
                .gender("M")
                .born("880507")
                .nationality("LBY")
                .passport("LY53FP76", "300928", "LBY"),
        )
        .traveller(
            TravellerSpec::passenger("SAMPLE", "JOHN")
                .gender("M")
                .born("700101")
                .nationality("EGY")
                .passport("LY53-FP76", "300101", "EGY"),
        )
        .traveller(
            TravellerSpec::passenger("ANWARI", "MUHAMMAD")
                .middle("TAHER")
                .gender("M")
                .nationality("AFG"),
        )
        .traveller(
            TravellerSpec::passenger("ZAKHAROV", "ALEKSANDR")
                .middle("VIACHESLAVOVICH")
                .gender("M")
                .born("650921")
                .nationality("RUS")
                .passport("751234567", "310101", "RUS"),
        )
        .traveller(
            TravellerSpec::passenger("EXAMPLOV", "ARMAN")
                .middle("BOLATULY")
                .born("910304")
                .nationality("KAZ")
                .passport("N00000001", "300101", "KAZ"),
        );
    let crew = MessageSpec::new("CR0100", ListKind::Crew, "XA123", legs()).traveller(
        TravellerSpec::crew("PILOTOVA", "ANNA")
            .born("800101")
            .nationality("KAZ"),
    );
    ManifestBuilder::default()
        .message(pax)
        .message(crew)
        .build()
}

#[test]
fn travellers_come_back_in_order_with_ranked_hits_and_totals() {
    let s = common::screener();
    let r = screen_manifest(&s, manifest().as_bytes(), &ManifestOptions::default()).unwrap();
    assert_eq!(r.messages.len(), 2);
    assert_eq!(r.messages[0].flight.number, "XA123");
    let ids: Vec<&str> = r.travellers().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "PX0100/1", "PX0100/2", "PX0100/3", "PX0100/4", "PX0100/5", "CR0100/1"
        ]
    );
    let t: Vec<_> = r.travellers().collect();
    assert_eq!(t[0].name, "AHMAD OUMAR IMHAMAD AL FITOURI");

    // The listed Libyan: name and passport both, the document hit first.
    let h = &t[0].hits[0];
    assert_eq!((h.match_id.as_str(), h.dataset.as_str()), ("LYi.023", "un"));
    let dm = h.document_match.as_ref().expect("a document match");
    assert_eq!(dm.listed_number, "LY53FP76");
    assert_eq!(dm.same_country, Some(true));
    assert!(
        h.explanation
            .starts_with("EXACT DOCUMENT NUMBER: P LY53FP76"),
        "{}",
        h.explanation
    );
    assert!(h.score > 0.8, "{h:?}");

    // Another name on the same passport number: still a hit, ranked first.
    let h = &t[1].hits[0];
    assert_eq!(h.match_id, "LYi.023");
    let dm = h.document_match.as_ref().unwrap();
    assert_eq!(dm.number, "LY53-FP76");
    assert_eq!(dm.same_country, Some(false));
    assert!(
        h.explanation.contains("but issued by EGY"),
        "{}",
        h.explanation
    );

    // Name only (no birth date, no document).
    assert_eq!(t[2].hits[0].match_id, "TAi.005");
    assert!(t[2].hits[0].document_match.is_none());
    // The 9303 transliteration of a Russian patronymic still finds OFAC.
    assert_eq!(t[3].hits[0].match_id, "45937", "{:?}", t[3].hits);
    assert_eq!(t[3].hits[0].dataset, "ofac");
    // Nobody listed.
    assert!(t[4].hits.is_empty(), "{:?}", t[4].hits);
    assert!(t[5].hits.is_empty(), "{:?}", t[5].hits);
    for (i, h) in t[3].hits.iter().enumerate() {
        assert_eq!(h.rank, i + 1);
    }

    let pax = r.messages[0].totals;
    assert_eq!((pax.travellers, pax.passengers, pax.crew), (5, 5, 0));
    assert_eq!(pax.document_matches, 2);
    assert_eq!(pax.with_hits, 4);
    assert_eq!(r.messages[1].totals.crew, 1);
    assert_eq!(r.totals.travellers, 6);
    assert_eq!(r.totals.with_hits, 4);
    assert_eq!(r.totals.errors, 0);
}

#[test]
fn a_dataset_filter_applies_to_document_hits_too() {
    let s = common::screener();
    let opts = ManifestOptions {
        datasets: Some(vec!["ofac".into()]),
        ..ManifestOptions::default()
    };
    let r = screen_manifest(&s, manifest().as_bytes(), &opts).unwrap();
    let t: Vec<_> = r.travellers().collect();
    assert!(t[0].hits.iter().all(|h| h.dataset == "ofac"));
    assert!(t[1].hits.is_empty());
    assert_eq!(t[3].hits[0].match_id, "45937");
    let bad = ManifestOptions {
        datasets: Some(vec!["nope".into()]),
        ..ManifestOptions::default()
    };
    assert!(matches!(
        screen_manifest(&s, manifest().as_bytes(), &bad),
        Err(ManifestError::UnknownDataset(_))
    ));
}

#[test]
fn a_bad_manifest_is_an_error_with_its_position_and_nothing_is_screened() {
    let s = common::screener();
    let edi = manifest().replace("DTM+329:880507", "DTM+329:991332");
    let e = screen_manifest(&s, edi.as_bytes(), &ManifestOptions::default()).unwrap_err();
    let ManifestError::Parse(p) = &e else {
        panic!("{e}")
    };
    assert_eq!(p.tag.as_deref(), Some("DTM"));
    assert!(e.to_string().contains("segment 1"), "{e}");
    assert!(e.to_string().contains("991332"), "{e}");
}

#[test]
fn results_serialize_for_the_web() {
    let s = common::screener();
    let r = screen_manifest(&s, manifest().as_bytes(), &ManifestOptions::default()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["messages"][0]["flight"]["legs"][0]["departure"], "IST");
    assert_eq!(
        v["messages"][0]["travellers"][0]["birth_date"],
        "1988-05-07"
    );
    assert_eq!(
        v["messages"][0]["travellers"][0]["hits"][0]["document_match"]["listed_number"],
        "LY53FP76"
    );
    assert_eq!(v["totals"]["travellers"], 6);
}

#[test]
fn csv_rows_one_per_hit_and_one_for_a_traveller_without() {
    let s = common::screener();
    let r = screen_manifest(&s, manifest().as_bytes(), &ManifestOptions::default()).unwrap();
    let mut out = ManifestCsv::new(Vec::new()).unwrap();
    out.write(&r).unwrap();
    let rows = out.rows();
    let bytes = out.into_inner().unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        MANIFEST_HEADER
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u64, rows);
    let first = &records[0];
    assert_eq!(&first[0], "PX0100/1");
    assert_eq!(&first[1], "AHMAD OUMAR IMHAMAD AL FITOURI");
    assert_eq!(&first[2], "1988-05-07");
    assert_eq!(&first[3], "LBY");
    assert_eq!(&first[4], "LY53FP76");
    assert_eq!(&first[5], "1");
    assert_eq!(&first[6], "LYi.023");
    assert!(first[10].starts_with("EXACT DOCUMENT NUMBER"));
    let none: Vec<_> = records.iter().filter(|r| &r[0] == "PX0100/5").collect();
    assert_eq!(none.len(), 1);
    assert_eq!(&none[0][6], "");
    assert_eq!(&none[0][11], "");
    assert_eq!(&records.last().unwrap()[0], "CR0100/1");
}

/// UN-listed persons whose names the list also gives in Cyrillic, written
/// as ICAO 9303 transliterates the Cyrillic on a passport (Х → KH, Й → I,
/// Ю → IU), which is not always the list's own Latin spelling (MAGHOMED,
/// ISMAILOV, BYUTUKAEV). The UN writes the passport number in a sentence.
#[test]
fn cyrillic_originals_written_as_passports_write_them() {
    let un = accord_lists::load_path(common::fixture("un_manifest.xml")).unwrap();
    assert_eq!(un.entries.len(), 3);
    let s = accord_screening::Screener::from_lists(vec![("un".into(), un)]);
    let msg = MessageSpec::new("PX0200", ListKind::Passengers, "XA123", legs())
        .traveller(
            // Абдурахманов Магомед Магомедзакирович, QDi.363.
            TravellerSpec::passenger("ABDURAKHMANOV", "MAGOMED")
                .middle("MAGOMEDZAKIROVICH")
                .born("741124")
                .nationality("RUS")
                .passport("515458008", "300101", "RUS"),
        )
        .traveller(
            // Шамиль Магомедович Измайлов, QDi.368.
            TravellerSpec::passenger("IZMAILOV", "SHAMIL")
                .middle("MAGOMEDOVICH")
                .born("801029")
                .nationality("RUS"),
        )
        .traveller(
            // Аслан Авгазарович Бютукаев, QDi.396.
            TravellerSpec::passenger("BIUTUKAEV", "ASLAN")
                .middle("AVGAZAROVICH")
                .born("741022")
                .nationality("RUS"),
        );
    let edi = ManifestBuilder::default().message(msg).build();
    let r = screen_manifest(&s, edi.as_bytes(), &ManifestOptions::default()).unwrap();
    let t: Vec<_> = r.travellers().collect();
    let top = |i: usize| t[i].hits.first().map(|h| h.match_id.as_str());
    assert_eq!(top(0), Some("QDi.363"), "{:?}", t[0].hits);
    let dm = t[0].hits[0]
        .document_match
        .as_ref()
        .expect("the passport number");
    assert_eq!(
        dm.listed_number,
        "Russian foreign travel passport number 515458008"
    );
    assert_eq!(top(1), Some("QDi.368"), "{:?}", t[1].hits);
    assert_eq!(top(2), Some("QDi.396"), "{:?}", t[2].hits);
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever bytes replace part of a valid manifest, screening
        /// answers or refuses; it does not panic.
        #[test]
        fn mutated_manifests_are_screened_or_refused(
            at in 0usize..2000,
            len in 0usize..40,
            bytes in prop::collection::vec(any::<u8>(), 0..40),
        ) {
            let s = common::screener();
            let mut edi = manifest().into_bytes();
            let at = at % edi.len();
            let end = (at + len).min(edi.len());
            edi.splice(at..end, bytes);
            let _ = screen_manifest(&s, &edi, &ManifestOptions::default());
        }
    }
}

/// Names come from the airline's message: a cell a spreadsheet would read as
/// a formula is written as text.
#[test]
fn csv_cells_that_look_like_formulas_are_written_as_text() {
    let s = common::screener();
    let pax = MessageSpec::new("PX0300", ListKind::Passengers, "XA123", legs()).traveller(
        TravellerSpec::passenger("=HYPERLINK(1)", "-SUM")
            .born("700101")
            .nationality("KAZ"),
    );
    let text = ManifestBuilder::default().message(pax).build();
    let r = screen_manifest(&s, text.as_bytes(), &ManifestOptions::default()).unwrap();
    let mut out = ManifestCsv::new(Vec::new()).unwrap();
    out.write(&r).unwrap();
    let bytes = out.into_inner().unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    for record in reader.records().map(Result::unwrap) {
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula cell: {cell:?}"
            );
        }
    }
}

#[test]
fn a_hit_on_a_weak_alias_only_is_marked_low_confidence() {
    let s = common::screener();
    // "Al Dabbashi" is a low-quality alias of LYi.023.
    let msg = MessageSpec::new("PX0300", ListKind::Passengers, "XA123", legs())
        .traveller(TravellerSpec::passenger("DABBASHI", "AL"))
        .traveller(
            TravellerSpec::passenger("AL FITOURI", "AHMAD")
                .middle("OUMAR IMHAMAD")
                .born("880507"),
        );
    let edi = ManifestBuilder::default().message(msg).build();
    let r = screen_manifest(&s, edi.as_bytes(), &ManifestOptions::default()).unwrap();
    let t: Vec<_> = r.travellers().collect();
    let weak = &t[0].hits[0];
    assert_eq!(weak.match_id, "LYi.023", "{:?}", t[0].hits);
    assert!(weak.low_confidence, "{weak:?}");
    assert!(!t[1].hits[0].low_confidence, "{:?}", t[1].hits[0]);
}
