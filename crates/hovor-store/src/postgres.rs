//! The store for several nodes: PostgreSQL.
//!
//! Read-modify-write transactions lock the row they change (`FOR UPDATE`), so
//! concurrent nodes serialise on the same operator or session instead of
//! overwriting each other. The SQL is `sql/`, compiled here for
//! PostgreSQL's types.

use sqlx::postgres::{PgPool, PgPoolOptions};

pub struct PgStore {
    pool: PgPool,
}

pub(crate) type Backend = PgStore;
pub(crate) type Db = sqlx::Postgres;
pub(crate) type DbRow = sqlx::postgres::PgRow;

impl PgStore {
    /// Appended to a `SELECT … FROM <table> s` that must lock the row.
    pub(crate) const LOCK: &'static str = " FOR UPDATE OF s";
    /// The same, shared: the row may not change until the transaction ends.
    pub(crate) const SHARE: &'static str = " FOR SHARE OF s";
    /// Transactions that change a company's existing sessions or operators
    /// run one at a time: they lock those rows in different orders. Writes
    /// that lock none of them (a new session, messages) take no company lock.
    pub(crate) const COMPANY_LOCK: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtext($1))");
    /// Row locks and the company lock order the writers.
    pub(crate) const BEGIN: &'static str = "BEGIN";
    pub(crate) const BACKEND: &'static str = "postgres";

    pub async fn connect(url: &str) -> crate::StoreResult<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool })
    }

    pub(crate) fn reader(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }
}

// The same SQL text is compiled once per backend, on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;
