//! How a burst of sign-ins affects everyone else: the latency of `/healthz`,
//! polled back to back by one client, first on an idle server and then while
//! SIGN_INS clients sign in at once (argon2id, the default parameters).
//!
//! ```sh
//! cargo run -p accord-web --example signin_burst -- 100
//! ```
//!
//! The server runs on its own multi-threaded runtime with one worker per
//! core, as `accord serve` does; the clients run on another thread, so that
//! what is measured is the server's stall, not the client's. The dev profile
//! builds argon2 optimised (the workspace's Cargo.toml), so its cost is real
//! there too; `--release` makes the rest faster. The database is
//! a fresh SQLite file; each sign-in is a different account (the throttle
//! counts per account and client, and these are all successes).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use accord_core::user::NewUser;
use accord_store::testing::TestDatabase;
use accord_store::{Actor, Store};

const PASSWORD: &str = "a long bench password";

fn main() {
    let sign_ins: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("SIGN_INS is a number"))
        .unwrap_or(100);
    let db = TestDatabase::sqlite();
    let url = db.url.clone();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel::<SocketAddr>();
    let server = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime for the server");
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    server.spawn(async move {
        let store = Store::open(&url).await.expect("open the database");
        store.seed_members().await.expect("seed");
        for i in 0..sign_ins {
            let new = NewUser::parse(&format!("bench{i}"), "Bench", "KAZ", "reader").unwrap();
            store
                .create_user(&Actor::system("bench"), &new, PASSWORD, false)
                .await
                .expect("create an account");
        }
        let app = accord_web::app(store, accord_web::Config::default(), Vec::new())
            .await
            .expect("the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        addr_tx.send(listener.local_addr().unwrap()).unwrap();
        accord_web::serve(listener, app).await.ok();
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(600))
        .expect("the server starts");
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the clients");
    client.block_on(async move {
        let base = format!("http://{addr}");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        let idle = poll_healthz(&http, &base, Poll::Count(200)).await;

        // One anonymous CSRF cookie and field, shared by every sign-in.
        let page = http.get(format!("{base}/login")).send().await.unwrap();
        let cookie = page
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("accord_csrf="))
            .and_then(|v| v.split(';').next())
            .expect("a CSRF cookie")
            .to_string();
        let html = page.text().await.unwrap();
        let marker = r#"name="csrf" value=""#;
        let start = html.find(marker).expect("a CSRF field") + marker.len();
        let csrf = html[start..].split('"').next().unwrap().to_string();

        let started = Instant::now();
        let burst: Vec<_> = (0..sign_ins)
            .map(|i| {
                let body = format!(
                    "csrf={csrf}&username=bench{i}&password={}",
                    PASSWORD.replace(' ', "+")
                );
                let request = http
                    .post(format!("{base}/login"))
                    .header(reqwest::header::COOKIE, &cookie)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
                    .send();
                tokio::spawn(async move {
                    let r = request.await.unwrap();
                    (r.status(), started.elapsed())
                })
            })
            .collect();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let poller = {
            let (http, base, done) = (http.clone(), base.clone(), done.clone());
            tokio::spawn(async move { poll_healthz(&http, &base, Poll::Until(done)).await })
        };
        let mut signed_in = 0;
        for b in burst {
            let (status, _) = b.await.unwrap();
            if status == reqwest::StatusCode::SEE_OTHER {
                signed_in += 1;
            }
        }
        let burst_time = started.elapsed();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let during = poller.await.unwrap();

        println!(
            "machine: {} cores ({} server workers), {}",
            workers,
            workers,
            std::env::consts::ARCH
        );
        println!("/healthz idle:        {}", summary(&idle));
        println!("/healthz during burst: {}", summary(&during));
        println!(
            "burst: {signed_in}/{sign_ins} sign-ins succeeded in {:.2} s ({:.1} ms each on average)",
            burst_time.as_secs_f64(),
            burst_time.as_secs_f64() * 1000.0 / sign_ins as f64
        );
    });
    drop(server);
    let cleanup = tokio::runtime::Runtime::new().unwrap();
    cleanup.block_on(db.drop_database());
}

enum Poll {
    Count(usize),
    Until(std::sync::Arc<std::sync::atomic::AtomicBool>),
}

/// Back-to-back `/healthz` requests; the latency of each.
async fn poll_healthz(http: &reqwest::Client, base: &str, poll: Poll) -> Vec<Duration> {
    let mut out = Vec::new();
    loop {
        match &poll {
            Poll::Count(n) if out.len() >= *n => break,
            Poll::Until(done) if done.load(std::sync::atomic::Ordering::Relaxed) => break,
            _ => {}
        }
        let t = Instant::now();
        let r = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert!(r.status().is_success());
        r.bytes().await.unwrap();
        out.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    out
}

fn summary(latencies: &[Duration]) -> String {
    let mut ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} requests",
        at(0.5),
        at(0.99),
        ms[ms.len() - 1],
        ms.len()
    )
}
