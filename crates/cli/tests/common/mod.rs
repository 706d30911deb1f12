//! The `spsti` binary run on a fresh database: SQLite in a temporary folder, or the
//! PostgreSQL database a test was given.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: PathBuf,
    pub database_url: Option<String>,
}

impl Env {
    pub fn sqlite() -> Env {
        let dir = std::env::temp_dir().join(format!(
            "spsti-cli-{}-{}",
            std::process::id(),
            web::secrets::random_token()[..8].replace(['-', '_'], "x")
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Env {
            dir,
            database_url: None,
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spsti"));
        command
            .args(args)
            .env("SPSTI_DATA_DIR", &self.dir)
            .env_remove("SPSTI_SMTP_HOST");
        match &self.database_url {
            Some(url) => command.env("DATABASE_URL", url),
            None => command.env_remove("DATABASE_URL"),
        };
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    #[allow(dead_code)]
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
