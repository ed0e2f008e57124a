//! Database servers for tests, started by the test itself: PostgreSQL
//! (Debian's `postgresql`) and MariaDB (`mariadb-server`), each in a
//! temporary folder, listening on 127.0.0.1 only, on a free port, with no
//! password; stopped when dropped. Shared by the engine's SQL cases and the
//! integration tests of `factgraph init` (through `#[path]`).

#![allow(dead_code)] // each test binary uses its own part

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts a server, or says what is missing.
pub type Start = fn() -> Result<Server, String>;

/// A database server this test started, stopped when dropped.
pub struct Server {
    pub system: &'static str,
    pub port: u16,
    /// The folder of its data, removed after the server stops.
    pub dir: tempfile::TempDir,
    pub process: Option<Child>,
    /// How to stop it when it is not `process` (pg_ctl).
    pub stop: Option<Command>,
    pub client: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = &mut self.stop {
            let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
        if let Some(process) = &mut self.process {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

/// A program from a system package: the first of `names` on the PATH or
/// in `folders`.
fn program(names: &[&str], folders: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut places: Vec<PathBuf> = folders.to_vec();
    places.extend(std::env::split_paths(&path));
    places.extend(["/usr/sbin", "/sbin"].map(PathBuf::from));
    names.iter().find_map(|name| places.iter().map(|place| place.join(name)).find(|p| p.is_file()))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Runs `command`; `Err` with its output when it fails.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command.stdin(Stdio::null()).output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// Waits until `ready` holds, for at most a minute.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) -> Result<(), String> {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > Duration::from_secs(60) {
            return Err(format!("{what} did not start within a minute"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// PostgreSQL's programs are in /usr/lib/postgresql/VERSION/bin on Debian.
fn postgres_folders() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path().join("bin"))).collect())
        .unwrap_or_default();
    folders.sort();
    folders.reverse(); // the newest first
    folders
}

/// Starts PostgreSQL; `Err` names what is missing or what failed. A server
/// refuses to run as root: then it runs as the `postgres` user the
/// package creates.
pub fn start_postgres() -> Result<Server, String> {
    let folders = postgres_folders();
    let missing = "PostgreSQL is not installed (Debian's package `postgresql`)";
    let initdb = program(&["initdb"], &folders).ok_or(missing)?;
    let pg_ctl = program(&["pg_ctl"], &folders).ok_or(missing)?;
    let client = program(&["psql"], &folders).ok_or(missing)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let as_server = |program: &Path| {
        let mut command = if is_root() { Command::new("runuser") } else { Command::new(program) };
        if is_root() {
            command.args(["-u", "postgres", "--"]).arg(program);
        }
        command
    };
    if is_root() {
        run(Command::new("chown").arg("postgres:").arg(dir.path()))?;
    }
    let data = dir.path().join("data");
    run(as_server(&initdb).arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]))?;
    let port = free_port();
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
        dir.path().display()
    );
    run(as_server(&pg_ctl)
        .arg("start")
        .args(["-w", "-t", "60", "-D"])
        .arg(&data)
        .arg("-l")
        .arg(dir.path().join("server.log"))
        .args(["-o", &options]))?;
    let mut stop = as_server(&pg_ctl);
    stop.args(["stop", "-m", "immediate", "-D"]).arg(&data);
    Ok(Server { system: "PostgreSQL", port, dir, process: None, stop: Some(stop), client })
}

/// Starts MariaDB (or MySQL) on an empty data folder. Without grant tables
/// every user and password logs in: the cases use `root` with `""` or
/// `"password"`.
pub fn start_mariadb() -> Result<Server, String> {
    let missing = "MariaDB is not installed (Debian's package `mariadb-server`)";
    let server = program(&["mariadbd", "mysqld"], &[]).ok_or(missing)?;
    let client = program(&["mariadb", "mysql"], &[]).ok_or(missing)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = free_port();
    let at = |name: &str| dir.path().join(name).display().to_string();
    let mut command = Command::new(&server);
    command
        .arg("--no-defaults")
        .arg(format!("--datadir={}", at("data")))
        .arg(format!("--socket={}", at("socket")))
        .arg(format!("--pid-file={}", at("pid")))
        .arg(format!("--log-error={}", at("server.log")))
        .arg(format!("--port={port}"))
        .args(["--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-name-resolve", "--skip-log-bin"])
        .args(["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", "--innodb-flush-log-at-trx-commit=0"]);
    if is_root() {
        command.arg("--user=root");
    }
    std::fs::create_dir(dir.path().join("data")).map_err(|e| e.to_string())?;
    let process = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    let process = process.map_err(|e| format!("{}: {e}", server.display()))?;
    let log = at("server.log");
    let server = Server { system: "MariaDB", port, dir, process: Some(process), stop: None, client };
    wait_for("MariaDB", || TcpStream::connect(("127.0.0.1", port)).is_ok() && server.sql("SELECT 1", None).is_ok())
        .map_err(|e| format!("{e}: {}", std::fs::read_to_string(&log).unwrap_or_default()))?;
    Ok(server)
}

impl Server {
    /// Runs `sql` (or the file `script`) with the system's client.
    pub fn sql(&self, sql: &str, script: Option<&Path>) -> Result<(), String> {
        let port = self.port.to_string();
        let mut command = Command::new(&self.client);
        if self.system == "PostgreSQL" {
            // The fixtures write bytea as '\\x…', PostgreSQL's escape-string
            // syntax from before standard-conforming strings.
            command.env("PGOPTIONS", "-c standard_conforming_strings=off -c client_min_messages=warning");
            command.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &port, "-U", "postgres"]);
            command.args(["-d", if script.is_some() { "test" } else { "postgres" }]);
            match script {
                Some(file) => command.arg("-f").arg(file),
                None => command.args(["-c", sql]),
            };
        } else {
            command.args(["--protocol=TCP", "-h", "127.0.0.1", "-P", &port, "-u", "root"]);
            match script {
                Some(file) => command.args(["test", "-e"]).arg(format!("source {}", file.display())),
                None => command.args(["-e", sql]),
            };
        }
        run(&mut command)
    }

    /// An empty database `test`, for the next case.
    pub fn reset(&self) -> Result<(), String> {
        self.sql("DROP DATABASE IF EXISTS test", None)?;
        self.sql("CREATE DATABASE test", None)
    }

    pub fn dsn(&self) -> String {
        let scheme = if self.system == "PostgreSQL" { "postgresql" } else { "mysql" };
        format!("jdbc:{scheme}://127.0.0.1:{}/test", self.port)
    }
}
