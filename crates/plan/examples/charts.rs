//! Writes sample charts and CSV for a made-up round to the directory given
//! (default: the current one), to look at them or print them.
//!
//! `cargo run -p accord-plan --example charts -- /tmp/plan`

use accord_plan::svg::{pillar_progress_for, status_bars_for};
use accord_plan::*;
use time::macros::datetime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    std::fs::create_dir_all(&dir)?;
    let cat = seed::catalogue();
    let sec = Principal::platform_user(1, "secretariat", Role::SecretariatAdmin);
    let members = ["KAZ", "KGZ", "TJK", "UZB", "AFG"];
    let codes: Vec<MemberCode> = members
        .iter()
        .map(|m| MemberCode::parse(m))
        .collect::<Result<_, _>>()?;
    let mut rounds = Vec::new();
    let mut reports = Vec::new();
    for (i, (id, name, deadline)) in [
        ("2015-unga", "Sept 2015", "2015-09-15"),
        ("2016", "2016", "2016-09-15"),
        ("2017", "2017", "2017-09-15"),
    ]
    .into_iter()
    .enumerate()
    {
        let start = format!("{}-01-01", 2015 + i);
        let ids: Vec<&str> = cat.commitments().iter().map(|c| c.id.as_str()).collect();
        let round = NewRound {
            id,
            name,
            period_start: &start,
            period_end: deadline,
            deadline,
            commitments: &ids,
            members: &members,
        }
        .validate(&sec, &cat, &codes, datetime!(2015-01-01 0:00 UTC))?;
        let now = round.deadline - time::Duration::days(1);
        for (m, code) in codes.iter().enumerate() {
            let contributor = Principal::member_user(
                10 + m as i64,
                "contributor",
                code.clone(),
                MemberKind::RegionalState,
                Role::Contributor,
            );
            let admin = Principal::member_user(
                20 + m as i64,
                "admin",
                code.clone(),
                MemberKind::RegionalState,
                Role::MemberAdmin,
            );
            for (k, c) in round.commitments.iter().enumerate() {
                let pick = (k * 7 + m * 3 + i * 5) % 9;
                if pick == 8 {
                    continue; // not reported
                }
                let status = ReportStatus::ALL[(pick + i) % 5];
                let input = ReportInput {
                    status: status.as_str().into(),
                    narrative: "Sample".into(),
                    tlp: if pick == 7 { "RED" } else { "GREEN" }.into(),
                    ..Default::default()
                };
                let r = Report::draft(&contributor, &round, code, c, input.validate()?, now)?
                    .submit(&admin, &round, 2, now)?;
                reports.push(r);
            }
        }
        rounds.push(round);
    }
    // Drawn as of the last round's close: every round has closed.
    let closed = rounds[2].deadline + time::Duration::days(1);
    let viewer = sec.clone();
    let m = matrix(
        &cat,
        &rounds[2],
        &reports,
        &viewer,
        &Filter::default(),
        closed,
    );
    std::fs::write(
        format!("{dir}/status.svg"),
        status_bars_for(
            "status",
            "Statuses per member, 2017",
            &m,
            &Default::default(),
        ),
    )?;
    let series =
        progress::pillar_series(&cat, &rounds, &reports, &viewer, &Filter::default(), closed);
    std::fs::write(
        format!("{dir}/pillars.svg"),
        pillar_progress_for(
            "pillars",
            "Progress per pillar over rounds (weighted)",
            &series,
            &cat,
            &rounds,
        ),
    )?;
    std::fs::write(format!("{dir}/matrix.csv"), export::matrix_csv(&m))?;
    std::fs::write(
        format!("{dir}/reports.csv"),
        export::reports_csv(&reports, &viewer, &Default::default()),
    )?;
    println!("wrote {dir}/status.svg, pillars.svg, matrix.csv, reports.csv");
    Ok(())
}
