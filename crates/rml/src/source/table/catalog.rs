//! What a database server holds, as its own catalog says: the tables and
//! views a user can read, each column's natural kind (the one the readers
//! give its values, from the same type names), and the keys that identify
//! a table's rows. `factgraph init` writes mappings from it.

use super::natural::SqlKind;

/// A table or view of a database, with what identifies its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTable {
    /// Its schema, where it is not the first one the user's search path
    /// names (PostgreSQL); `None` for the current schema and in MySQL.
    pub schema: Option<String>,
    pub name: String,
    pub is_view: bool,
    /// Its columns, in the table's order, with the kind their values get.
    pub columns: Vec<(String, SqlKind)>,
    /// The columns of its primary key, in the key's order; empty: none.
    pub primary_key: Vec<String>,
    /// Single columns that a unique index covers and that cannot be NULL.
    pub unique_not_null: Vec<String>,
}

impl CatalogTable {
    /// The table's name as SQL writes it, delimited (and qualified where
    /// it is not in the current schema): `"offering"`, `"sales"."offering"`.
    pub fn sql_name(&self) -> String {
        let name = delimited(&self.name);
        match &self.schema {
            Some(schema) => format!("{}.{name}", delimited(schema)),
            None => name,
        }
    }
}

/// A delimited SQL identifier: `"name"`, with any `"` doubled. MySQL reads
/// it so too under `ANSI_QUOTES`, which the readers set.
pub fn delimited(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_delimited_and_qualified_outside_the_current_schema() {
        let table = |schema: Option<&str>| CatalogTable {
            schema: schema.map(Into::into),
            name: "Off\"ers".into(),
            is_view: false,
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique_not_null: Vec::new(),
        };
        assert_eq!(table(None).sql_name(), "\"Off\"\"ers\"");
        assert_eq!(table(Some("sales")).sql_name(), "\"sales\".\"Off\"\"ers\"");
    }
}
