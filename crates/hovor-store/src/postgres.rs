//! The store for several nodes: PostgreSQL.
//!
//! Read-modify-write transactions lock the row they change (`FOR UPDATE`), so
//! concurrent nodes serialise on the same operator instead of overwriting
//! each other.

use sqlx::postgres::{PgPool, PgPoolOptions};

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    const LOCK: &'static str = " FOR UPDATE OF s";
    const COMPANY_LOCK: &'static str = "SELECT pg_advisory_xact_lock(hashtext($1))";

    pub async fn connect(url: &str) -> crate::StoreResult<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool })
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }
}

crate::sql::sql_store!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow, "postgres");
