//! Relational databases as RML and R2RML describe them: a table or a query
//! (`rr:tableName`, `rr:sqlQuery`, `rml:query`, RML-IO's `rml:SQL2008Table`
//! and `rml:SQL2008Query`) over a connection that a D2RQ database
//! description names (`d2rq:jdbcDSN`, `d2rq:username`, `d2rq:password`).

use std::fmt;
use std::path::PathBuf;

/// Which rows of which database: a logical table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    pub connection: Connection,
    pub query: Query,
}

/// A table by name, or the rows of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// A table or view, named as SQL names it (`student`, `"Student"`,
    /// `public.student`): used in the query as it is written.
    Table(String),
    /// An SQL query, sent as it is written.
    Sql(String),
}

impl Query {
    /// The SQL that gives the rows.
    pub fn sql(&self) -> String {
        match self {
            Self::Table(name) => format!("SELECT * FROM {name}"),
            Self::Sql(sql) => sql.trim().trim_end_matches(';').to_owned(),
        }
    }

    /// How messages name the rows: the table, or "query".
    pub fn label(&self) -> &str {
        match self {
            Self::Table(name) => name.trim_matches('"'),
            Self::Sql(_) => "query",
        }
    }
}

/// How to reach a database: a JDBC-style address (`jdbc:sqlite:facts.db`,
/// `jdbc:postgresql://host:5432/db`, `jdbc:mysql://host/db`), a user and a
/// password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Connection {
    pub dsn: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The JDBC driver a D2RQ description names (`d2rq:jdbcDriver`): it
    /// tells the system where the address does not (`//host/db`).
    pub driver: Option<String>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("dsn", &redacted(&self.dsn))
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("driver", &self.driver)
            .finish()
    }
}

/// The database systems factgraph reads, told apart by the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum System {
    /// A SQLite file, by path.
    Sqlite(PathBuf),
    /// A PostgreSQL server.
    Postgres(Server),
    /// A MySQL or MariaDB server.
    Mysql(Server),
}

/// Where a database server is and who logs in. `Debug` never shows the
/// password.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Server {
    pub host: String,
    /// `None`: the system's usual port (5432, 3306).
    pub port: Option<u16>,
    pub database: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Server {
    /// How messages name the server's database: `host:port/database`.
    pub fn label(&self, default_port: u16) -> String {
        format!("{}:{}/{}", self.host, self.port.unwrap_or(default_port), self.database)
    }
}

/// The environment variables that give every database connection its user
/// and password, over those of the mapping and the configuration: a
/// password then never has to be written into a file.
pub const USER_VARIABLE: &str = "FACTGRAPH_DATABASE_USER";
pub const PASSWORD_VARIABLE: &str = "FACTGRAPH_DATABASE_PASSWORD";

impl Connection {
    /// The system and where it is, from the address (or the driver, for an
    /// address that does not say); an address of another system is an
    /// error naming the ones supported. The user and password are, first
    /// found: [`USER_VARIABLE`] and [`PASSWORD_VARIABLE`], the connection's
    /// own (the configuration's or the mapping's), those in the address
    /// (`?user=…&password=…` or `user:password@host`).
    pub fn system(&self) -> Result<System, String> {
        let dsn = self.dsn.trim();
        let dsn = dsn.strip_prefix("jdbc:").unwrap_or(dsn);
        let (scheme, rest) = match dsn.split_once(':') {
            Some((scheme, rest)) if !scheme.contains('/') && !scheme.is_empty() => (scheme.to_ascii_lowercase(), rest),
            _ => (String::new(), dsn),
        };
        let driver = self.driver.as_deref().unwrap_or("").to_ascii_lowercase();
        let named = |name: &str| scheme == name || (scheme.is_empty() && driver.contains(name));
        if named("sqlite") {
            return Ok(System::Sqlite(PathBuf::from(rest.strip_prefix("//").unwrap_or(rest))));
        }
        let server = || self.server(if scheme.is_empty() { dsn } else { rest });
        if named("postgresql") || scheme == "postgres" {
            return server().map(System::Postgres);
        }
        if named("mysql") || named("mariadb") {
            return server().map(System::Mysql);
        }
        Err(format!(
            "the database address {:?} names no system factgraph reads; use jdbc:sqlite:PATH, \
             jdbc:postgresql://HOST:PORT/DATABASE or jdbc:mysql://HOST:PORT/DATABASE (MariaDB too)",
            redacted(&self.dsn)
        ))
    }

    /// A server address after its scheme: `//[user[:password]@]host[:port][/database][?user=…&password=…]`,
    /// or JDBC's short `database` (on localhost).
    fn server(&self, address: &str) -> Result<Server, String> {
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
        let mut server = Server { host: "localhost".into(), ..Server::default() };
        let (address, parameters) = address.split_once('?').unwrap_or((address, ""));
        let path = match address.strip_prefix("//") {
            Some(rest) => {
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let host_port = match authority.rsplit_once('@') {
                    Some((credentials, host_port)) => {
                        let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
                        server.user = Some(decode(user));
                        server.password = Some(decode(password)).filter(|_| credentials.contains(':'));
                        host_port
                    }
                    None => authority,
                };
                let (host, port) = split_port(host_port);
                if let Some(port) = port {
                    let port = port.parse().map_err(|_| {
                        format!("the port {port:?} in the database address {:?} is not a number", redacted(&self.dsn))
                    })?;
                    server.port = Some(port);
                }
                if !host.is_empty() {
                    server.host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
                }
                path
            }
            None => address,
        };
        server.database = decode(path);
        for parameter in parameters.split('&') {
            match parameter.split_once('=') {
                Some(("user", user)) => server.user = Some(decode(user)),
                Some(("password", password)) => server.password = Some(decode(password)),
                _ => {}
            }
        }
        let variable = |name: &str| std::env::var(name).ok();
        server.user = variable(USER_VARIABLE).or_else(|| self.user.clone()).or(server.user);
        server.password = variable(PASSWORD_VARIABLE).or_else(|| self.password.clone()).or(server.password);
        Ok(server)
    }

    /// How messages name the database: the file, or `host:port/database`;
    /// never a password.
    pub fn label(&self) -> String {
        match self.system() {
            Ok(System::Sqlite(path)) => path.display().to_string(),
            Ok(System::Postgres(server)) => server.label(5432),
            Ok(System::Mysql(server)) => server.label(3306),
            Err(_) => redacted(&self.dsn),
        }
    }
}

/// `host:port` (or `[::1]:port`) apart.
fn split_port(host_port: &str) -> (&str, Option<&str>) {
    if let Some(end) = host_port.find(']') {
        let (host, rest) = host_port.split_at(end + 1);
        return (host, rest.strip_prefix(':'));
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    }
}

/// An address with any password in it hidden.
fn redacted(dsn: &str) -> String {
    let mut text = dsn.to_owned();
    if let Some(start) = text.find("password=") {
        let value = start + "password=".len();
        let end = text[value..].find('&').map_or(text.len(), |e| value + e);
        text.replace_range(value..end, "…");
    }
    if let (Some(scheme_end), Some(at)) = (text.find("//"), text.rfind('@')) {
        if let Some(colon) = text[scheme_end + 2..at].find(':') {
            text.replace_range(scheme_end + 2 + colon + 1..at, "…");
        }
    }
    text
}

/// The name a logical table's rows are reported under: `DATABASE:TABLE`.
pub fn label(selection: &Selection) -> PathBuf {
    PathBuf::from(format!("{}:{}", selection.connection.label(), selection.query.label()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(dsn: &str, driver: Option<&str>) -> Result<System, String> {
        Connection { dsn: dsn.into(), driver: driver.map(Into::into), ..Connection::default() }.system()
    }

    #[test]
    fn addresses_name_the_system_host_port_database_and_credentials() {
        let Ok(System::Postgres(server)) =
            system("jdbc:postgresql://db.example.org:5433/facts?user=ann&password=s%40t", None)
        else {
            panic!("a PostgreSQL address")
        };
        assert_eq!(
            (server.host.as_str(), server.port, server.database.as_str()),
            ("db.example.org", Some(5433), "facts")
        );
        assert_eq!((server.user.as_deref(), server.password.as_deref()), (Some("ann"), Some("s@t")));
        let Ok(System::Mysql(server)) = system("jdbc:mariadb://bob:pw@[::1]/test", None) else { panic!("MariaDB") };
        assert_eq!((server.host.as_str(), server.port, server.user.as_deref()), ("::1", None, Some("bob")));
        assert!(matches!(system("jdbc:mysql://localhost:3306/test", None), Ok(System::Mysql(_))));
        assert!(matches!(system("postgres://localhost/test", None), Ok(System::Postgres(_))));
        assert_eq!(system("jdbc:sqlite:facts.db", None), Ok(System::Sqlite("facts.db".into())));
    }

    #[test]
    fn the_driver_tells_the_system_where_the_address_does_not() {
        assert!(matches!(system("//localhost:5432/test", Some("org.postgresql.Driver")), Ok(System::Postgres(_))));
        assert!(matches!(system("//localhost/test", Some("com.mysql.cj.jdbc.Driver")), Ok(System::Mysql(_))));
        let error = system("jdbc:oracle:thin:@host:1521:db", None).unwrap_err();
        assert!(error.contains("jdbc:postgresql://"), "{error}");
    }

    #[test]
    fn a_password_never_shows_in_labels_or_debug() {
        let connection = Connection {
            dsn: "jdbc:postgresql://ann:secret@host/db?password=secret2".into(),
            password: Some("secret3".into()),
            ..Connection::default()
        };
        let shown = format!("{connection:?} {} {:?}", connection.label(), connection.system());
        assert!(!shown.contains("secret"), "{shown}");
    }
}
