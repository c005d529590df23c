//! `accord`: the platform in one binary.

mod anchor;
mod bundled;
mod commands;
mod common_list;
mod config;
mod demo;
mod demo_hashes;
mod demo_library;
mod demo_programmes;
mod hashes;
mod hashes_import;
mod library;
mod lists;
mod member_key;
mod programmes;
mod screen;
mod taxii;
mod verify;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = config::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(commands::exit_code(&e))
        }
    }
}
