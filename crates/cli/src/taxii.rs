//! `accord taxii bench`: the TAXII server's paging measured over HTTP on a
//! collection of many objects (docs/benchmarks.md).

use std::time::Instant;

use accord_core::tlp::Tlp;
use accord_store::Store;
use accord_store::taxii::NewObject;
use accord_taxii::audience::Audience;
use accord_taxii::collection::Collection;
use accord_taxii::{TAXII_MEDIA_TYPE, stix_id, stix_time};
use serde_json::{Value, json};

use crate::config::TaxiiCommand;

/// A report as the library's are, about 1.3 kB of JSON.
fn report(n: usize) -> NewObject {
    let modified = 1_764_547_200_000 + n as i64; // 2025-12-01, a millisecond apart
    let body = json!({
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report", &format!("bench:{n}")),
        "created_by_ref": stix_id("identity", "bench"),
        "created": stix_time(modified),
        "modified": stix_time(modified),
        "name": format!("Recruitment through messengers in the region, study {n}"),
        "description": "What draws young labour migrants to violent groups online, from interviews in three countries. ".repeat(8),
        "published": stix_time(modified),
        "object_refs": [stix_id("identity", "bench")],
        "lang": "en",
        "labels": ["online-propaganda", "youth"],
        "external_references": [{"source_name": "accord", "external_id": format!("library:{n}")}],
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    });
    NewObject {
        stix_id: body["id"].as_str().unwrap_or_default().to_string(),
        stix_type: "report".into(),
        modified_ms: modified,
        revoked: false,
        source: format!("bench:{n}"),
        audience: Audience::public(),
        body: body.to_string(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn run(cmd: TaxiiCommand) -> anyhow::Result<()> {
    let TaxiiCommand::Bench {
        objects,
        page,
        repeats,
        database,
    } = cmd;
    let dir = tempfile::tempdir()?;
    let url =
        database.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = Store::open(&url).await?;
    // The bench adds 100,000 public objects: never to a platform's database.
    anyhow::ensure!(
        store.taxii_seq().await? == 0 && store.members().await?.is_empty(),
        "the database is not empty: give one created for the bench"
    );
    store.seed_members().await?;
    let started = Instant::now();
    let all: Vec<NewObject> = (0..objects).map(report).collect();
    for batch in all.chunks(1_000) {
        store.taxii_append(batch, None).await?;
    }
    let fill = started.elapsed().as_secs_f64();
    eprintln!("{objects} objects stored in {fill:.1} s");

    let config = accord_web::Config {
        audit_anchor_interval: None,
        ..Default::default()
    };
    let app = accord_web::app(store.clone(), config, Vec::new()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!(
        "http://{}/taxii2/accord/collections/{}/objects/",
        listener.local_addr()?,
        Collection::Public.id()
    );
    tokio::spawn(accord_web::serve(listener, app));

    let report = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let agent = ureq::Agent::new_with_defaults();
        let get = |url: &str| -> anyhow::Result<(f64, Value)> {
            let t = Instant::now();
            let body = agent
                .get(url)
                .header("Accept", TAXII_MEDIA_TYPE)
                .call()?
                .body_mut()
                .read_to_string()?;
            let ms = t.elapsed().as_secs_f64() * 1_000.0;
            Ok((ms, serde_json::from_str(&body)?))
        };
        let first_url = format!("{base}?limit={page}");
        get(&first_url)?; // the first request projects the context
        let mut first: Vec<f64> = (0..repeats)
            .map(|_| get(&first_url).map(|(ms, _)| ms))
            .collect::<anyhow::Result<_>>()?;
        first.sort_by(f64::total_cmp);
        let mut pages = Vec::new();
        let mut seen = 0usize;
        let mut url = first_url.clone();
        let walk = Instant::now();
        loop {
            let (ms, v) = get(&url)?;
            pages.push(ms);
            seen += v["objects"].as_array().map_or(0, Vec::len);
            match v["next"].as_str() {
                Some(next) if v["more"] == true => url = format!("{first_url}&next={next}"),
                _ => break,
            }
        }
        let walk = walk.elapsed().as_secs_f64();
        let mut sorted = pages.clone();
        sorted.sort_by(f64::total_cmp);
        let tail = &pages[pages.len().saturating_sub(10)..];
        let tail_mean = tail.iter().sum::<f64>() / tail.len().max(1) as f64;
        let head = &pages[..pages.len().min(10)];
        let head_mean = head.iter().sum::<f64>() / head.len().max(1) as f64;
        Ok(format!(
            "objects {objects}, page {page}: walked {seen} objects in {} pages, {walk:.2} s\n\
             first page ({repeats} times): p50 {:.1} ms, p99 {:.1} ms\n\
             every page of the walk: p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms\n\
             first 10 pages {head_mean:.1} ms on average, last 10 {tail_mean:.1} ms ({:.2}x)",
            pages.len(),
            percentile(&first, 0.5),
            percentile(&first, 0.99),
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99),
            sorted.last().copied().unwrap_or(0.0),
            tail_mean / head_mean.max(f64::EPSILON),
        ))
    })
    .await??;
    println!("{report}");
    store.close().await;
    Ok(())
}
