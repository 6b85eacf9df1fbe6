//! The SQL behind both stores, written once.
//!
//! `sql_store!` expands to a full `Store` implementation for a struct that
//! has `reader()` and `writer()` pools and a `LOCK` suffix (`FOR UPDATE` on
//! PostgreSQL, empty on SQLite, whose single writer already serialises). The
//! queries use `$1`-style parameters, which both drivers accept.

macro_rules! sql_store {
    ($store:ty, $db:ty, $row:ty, $backend:literal) => {
        use async_trait::async_trait;
        use hovor_core::{
            Cause, Channel, ChannelSetting, Command, CompanySettings, HistorySpan, Millis,
            OperatorState, Presence, Role, Status,
        };
        use sqlx::Row;

        use crate::{
            new_id, ApiKey, ChannelChange, Company, UserChange, HistoryEntry, NewAuthSession, NewUser, PauseType,
            PauseTypeRef, StateChange, StateView, Store, StoreError, StoreResult, StreamEvent,
            User,
        };

        const USER_COLUMNS: &str = "u.id, u.company_id, u.name, u.email, u.role, u.active";
        const STATE_COLUMNS: &str = "s.logged_in, s.status, s.pause_type_id, s.live_connections, \
             s.disconnected_since, s.grace_expired, s.since, s.cause, p.name AS pause_name, p.paid AS pause_paid";

        fn corrupt(what: &str, value: &str) -> StoreError {
            StoreError::Corrupt(format!("{what} {value:?}"))
        }

        fn user_from_row(row: &$row) -> StoreResult<User> {
            let role: String = row.try_get("role")?;
            Ok(User {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
                active: row.try_get("active")?,
            })
        }

        fn company_from_row(row: &$row) -> StoreResult<Company> {
            let settings: String = row.try_get("settings")?;
            Ok(Company {
                id: row.try_get("id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                settings: serde_json::from_str(&settings)
                    .map_err(|e| StoreError::Corrupt(format!("company settings: {e}")))?,
            })
        }

        fn pause_type_from_row(row: &$row) -> StoreResult<PauseType> {
            Ok(PauseType {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                paid: row.try_get("paid")?,
                archived: row.try_get("archived")?,
            })
        }

        fn pause_ref(id: Option<String>, name: Option<String>, paid: Option<bool>) -> Option<PauseTypeRef> {
            match (id, name) {
                (Some(id), Some(name)) => Some(PauseTypeRef { id, name, paid: paid.unwrap_or(false) }),
                _ => None,
            }
        }

        fn state_view_from_row(row: &$row) -> StoreResult<StateView> {
            let operator = user_from_row(row)?;
            let status: String = row.try_get("status")?;
            let cause: String = row.try_get("cause")?;
            let pause_type_id: Option<String> = row.try_get("pause_type_id")?;
            let live: i64 = row.try_get("live_connections")?;
            let state = OperatorState {
                logged_in: row.try_get("logged_in")?,
                status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                pause_type_id: pause_type_id.clone(),
                live_connections: u32::try_from(live).unwrap_or(0),
                disconnected_since: row.try_get("disconnected_since")?,
                grace_expired: row.try_get("grace_expired")?,
                since: row.try_get("since")?,
                cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?,
            };
            let pause_type = pause_ref(pause_type_id, row.try_get("pause_name")?, row.try_get("pause_paid")?);
            Ok(StateView { operator, state, pause_type })
        }

        fn api_key_from_row(row: &$row) -> StoreResult<ApiKey> {
            let scopes: String = row.try_get("scopes")?;
            Ok(ApiKey {
                id: row.try_get("id")?,
                company_id: row.try_get("company_id")?,
                name: row.try_get("name")?,
                scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                created_at: row.try_get("created_at")?,
            })
        }

        type Tx = sqlx::Transaction<'static, $db>;

        /// The streams that hear about a change to `user_id`: their own, and
        /// those of every supervisor and admin of the company.
        async fn user_and_watchers(tx: &mut Tx, company_id: &str, user_id: &str) -> StoreResult<Vec<String>> {
            let mut streams = vec![user_id.to_owned()];
            let watchers = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND active AND role IN ('admin', 'supervisor') AND id <> $2")
                .bind(company_id).bind(user_id).fetch_all(&mut **tx).await?;
            for w in &watchers {
                streams.push(w.try_get("id")?);
            }
            Ok(streams)
        }

        /// Appends one event to each stream, numbering it in that stream.
        /// Returns the `(stream, seq)` hints to publish after the commit.
        async fn append_to_streams(tx: &mut Tx, streams: &[String], kind: &str, payload: &str, now: Millis) -> StoreResult<Vec<(String, i64)>> {
            let mut written = Vec::with_capacity(streams.len());
            for stream in streams {
                sqlx::query("INSERT INTO streams (stream, last_seq) VALUES ($1, 0) ON CONFLICT (stream) DO NOTHING")
                    .bind(stream).execute(&mut **tx).await?;
                let seq: i64 = sqlx::query("UPDATE streams SET last_seq = last_seq + 1 WHERE stream = $1 RETURNING last_seq")
                    .bind(stream).fetch_one(&mut **tx).await?.try_get("last_seq")?;
                sqlx::query("INSERT INTO events (stream, seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(stream).bind(seq).bind(kind).bind(payload).bind(now)
                    .execute(&mut **tx).await?;
                written.push((stream.clone(), seq));
            }
            Ok(written)
        }

        fn channel_from_row(row: &$row) -> StoreResult<ChannelSetting> {
            let name: String = row.try_get("channel")?;
            let capacity: i64 = row.try_get("capacity")?;
            Ok(ChannelSetting {
                channel: Channel::parse(&name).ok_or_else(|| corrupt("channel", &name))?,
                enabled: row.try_get("enabled")?,
                capacity: u32::try_from(capacity).unwrap_or(0),
            })
        }

        async fn channels_in(tx: &mut Tx, user_id: &str) -> StoreResult<Vec<ChannelSetting>> {
            let rows = sqlx::query("SELECT channel, capacity, enabled FROM operator_channels WHERE user_id = $1")
                .bind(user_id).fetch_all(&mut **tx).await?;
            let mut list = rows.iter().map(channel_from_row).collect::<StoreResult<Vec<_>>>()?;
            list.sort_by_key(|c| c.channel);
            Ok(list)
        }

        /// Writes `operator.channel_changed` for the user and their watchers.
        async fn channel_event(tx: &mut Tx, company_id: &str, user_id: &str, now: Millis) -> StoreResult<ChannelChange> {
            let channels = channels_in(tx, user_id).await?;
            let name: String = sqlx::query("SELECT name FROM users WHERE id = $1")
                .bind(user_id).fetch_one(&mut **tx).await?.try_get("name")?;
            let payload = serde_json::json!({ "operator_id": user_id, "name": name, "channels": channels }).to_string();
            let streams = user_and_watchers(tx, company_id, user_id).await?;
            let written = append_to_streams(tx, &streams, "operator.channel_changed", &payload, now).await?;
            Ok(ChannelChange { channels, written })
        }

        fn is_unique_violation(e: &sqlx::Error) -> bool {
            matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn create_company(&self, slug: &str, name: &str, now: Millis) -> StoreResult<Company> {
                let settings = CompanySettings::default();
                let company = Company { id: new_id("cmp"), slug: slug.to_owned(), name: name.to_owned(), settings };
                let settings_text = serde_json::to_string(&company.settings)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query("INSERT INTO companies (id, slug, name, settings, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&company.id).bind(slug).bind(name).bind(settings_text).bind(now)
                    .execute(self.writer()).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict(format!("company {slug} exists")) } else { e.into() })?;
                Ok(company)
            }

            async fn company(&self, id: &str) -> StoreResult<Option<Company>> {
                let row = sqlx::query("SELECT id, slug, name, settings FROM companies WHERE id = $1")
                    .bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(company_from_row).transpose()
            }

            async fn company_by_slug(&self, slug: &str) -> StoreResult<Option<Company>> {
                let row = sqlx::query("SELECT id, slug, name, settings FROM companies WHERE slug = $1")
                    .bind(slug).fetch_optional(self.reader()).await?;
                row.as_ref().map(company_from_row).transpose()
            }

            async fn save_company_settings(&self, company_id: &str, settings: &CompanySettings) -> StoreResult<()> {
                let text = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let done = sqlx::query("UPDATE companies SET settings = $1 WHERE id = $2")
                    .bind(text).bind(company_id).execute(self.writer()).await?;
                if done.rows_affected() == 0 { return Err(StoreError::NotFound); }
                Ok(())
            }

            async fn create_user(&self, new: &NewUser, now: Millis) -> StoreResult<User> {
                let user = User {
                    id: new_id("usr"),
                    company_id: new.company_id.clone(),
                    name: new.name.clone(),
                    email: new.email.trim().to_lowercase(),
                    role: new.role,
                    active: true,
                };
                let mut tx = self.writer().begin().await?;
                sqlx::query("INSERT INTO users (id, company_id, name, email, role, password_hash, active, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(&user.id).bind(&user.company_id).bind(&user.name).bind(&user.email)
                    .bind(user.role.as_str()).bind(&new.password_hash).bind(true).bind(now)
                    .execute(&mut *tx).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("a user with this e-mail exists".into()) } else { e.into() })?;
                let initial = OperatorState::new(now);
                sqlx::query("INSERT INTO operator_states (user_id, company_id, logged_in, status, pause_type_id, live_connections, \
                             disconnected_since, grace_expired, since, cause) VALUES ($1, $2, $3, $4, NULL, 0, NULL, $5, $6, $7)")
                    .bind(&user.id).bind(&user.company_id).bind(initial.logged_in).bind(initial.status.as_str())
                    .bind(initial.grace_expired).bind(now).bind(initial.cause.as_str())
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn user(&self, company_id: &str, id: &str) -> StoreResult<Option<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.id = $2");
                let row = sqlx::query(&sql).bind(company_id).bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn user_for_login(&self, email: &str) -> StoreResult<Option<(User, String)>> {
                let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1 AND u.active");
                let row = sqlx::query(&sql).bind(email.trim().to_lowercase()).fetch_optional(self.reader()).await?;
                match row {
                    Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
                    None => Ok(None),
                }
            }

            async fn users(&self, company_id: &str) -> StoreResult<Vec<User>> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.company_id = $1 AND u.active ORDER BY u.name, u.id");
                let rows = sqlx::query(&sql).bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(user_from_row).collect()
            }

            async fn update_user(&self, company_id: &str, id: &str, change: &UserChange) -> StoreResult<Option<User>> {
                let email = change.email.as_ref().map(|e| e.trim().to_lowercase());
                let row = sqlx::query("UPDATE users SET name = COALESCE($3, name), email = COALESCE($4, email), \
                                       role = COALESCE($5, role), password_hash = COALESCE($6, password_hash) \
                                       WHERE company_id = $1 AND id = $2 AND active \
                                       RETURNING id, company_id, name, email, role, active")
                    .bind(company_id).bind(id).bind(&change.name).bind(email)
                    .bind(change.role.map(Role::as_str)).bind(&change.password_hash)
                    .fetch_optional(self.writer()).await
                    .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict("a user with this e-mail exists".into()) } else { e.into() })?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn deactivate_user(&self, company_id: &str, id: &str) -> StoreResult<bool> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query("UPDATE users SET active = $3 WHERE company_id = $1 AND id = $2 AND active")
                    .bind(company_id).bind(id).bind(false).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn create_auth_session(&self, s: &NewAuthSession) -> StoreResult<()> {
                sqlx::query("INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&s.token_hash).bind(&s.user_id).bind(&s.csrf_token).bind(s.created_at).bind(s.expires_at)
                    .execute(self.writer()).await?;
                Ok(())
            }

            async fn auth_session(&self, token_hash: &str, now: Millis) -> StoreResult<Option<(User, String)>> {
                let sql = format!("SELECT {USER_COLUMNS}, a.csrf_token FROM auth_sessions a JOIN users u ON u.id = a.user_id \
                                   WHERE a.token_hash = $1 AND a.expires_at > $2 AND u.active");
                let row = sqlx::query(&sql).bind(token_hash).bind(now).fetch_optional(self.reader()).await?;
                match row {
                    Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("csrf_token")?))),
                    None => Ok(None),
                }
            }

            async fn delete_auth_sessions_of(&self, user_id: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1").bind(user_id).execute(self.writer()).await?;
                Ok(())
            }

            async fn create_api_key(&self, company_id: &str, name: &str, key_hash: &str, scopes: &[String], now: Millis) -> StoreResult<ApiKey> {
                let id = new_id("key");
                sqlx::query("INSERT INTO api_keys (id, company_id, name, key_hash, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
                    .bind(&id).bind(company_id).bind(name).bind(key_hash).bind(scopes.join(",")).bind(now)
                    .execute(self.writer()).await?;
                Ok(ApiKey { id, company_id: company_id.to_owned(), name: name.to_owned(), scopes: scopes.to_vec(), created_at: now })
            }

            async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
                let row = sqlx::query("SELECT id, company_id, name, scopes, created_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                    .bind(key_hash).fetch_optional(self.reader()).await?;
                row.as_ref().map(api_key_from_row).transpose()
            }

            async fn pause_types(&self, company_id: &str) -> StoreResult<Vec<PauseType>> {
                let rows = sqlx::query("SELECT id, name, paid, archived FROM pause_types WHERE company_id = $1 ORDER BY created_at, id")
                    .bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(pause_type_from_row).collect()
            }

            async fn pause_type(&self, company_id: &str, id: &str) -> StoreResult<Option<PauseType>> {
                let row = sqlx::query("SELECT id, name, paid, archived FROM pause_types WHERE company_id = $1 AND id = $2")
                    .bind(company_id).bind(id).fetch_optional(self.reader()).await?;
                row.as_ref().map(pause_type_from_row).transpose()
            }

            async fn create_pause_type(&self, company_id: &str, name: &str, paid: bool, now: Millis) -> StoreResult<PauseType> {
                let p = PauseType { id: new_id("pau"), name: name.to_owned(), paid, archived: false };
                sqlx::query("INSERT INTO pause_types (id, company_id, name, paid, archived, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&p.id).bind(company_id).bind(name).bind(paid).bind(false).bind(now)
                    .execute(self.writer()).await?;
                Ok(p)
            }

            async fn update_pause_type(&self, company_id: &str, id: &str, name: Option<&str>, paid: Option<bool>) -> StoreResult<Option<PauseType>> {
                let row = sqlx::query("UPDATE pause_types SET name = COALESCE($3, name), paid = COALESCE($4, paid) \
                                       WHERE company_id = $1 AND id = $2 RETURNING id, name, paid, archived")
                    .bind(company_id).bind(id).bind(name).bind(paid)
                    .fetch_optional(self.writer()).await?;
                row.as_ref().map(pause_type_from_row).transpose()
            }

            async fn archive_pause_type(&self, company_id: &str, id: &str) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE pause_types SET archived = $3 WHERE company_id = $1 AND id = $2")
                    .bind(company_id).bind(id).bind(true).execute(self.writer()).await?;
                Ok(done.rows_affected() > 0)
            }

            async fn operator_state(&self, company_id: &str, user_id: &str) -> StoreResult<Option<StateView>> {
                let sql = format!("SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
                                   JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
                                   WHERE s.company_id = $1 AND s.user_id = $2");
                let row = sqlx::query(&sql).bind(company_id).bind(user_id).fetch_optional(self.reader()).await?;
                row.as_ref().map(state_view_from_row).transpose()
            }

            async fn operator_states(&self, company_id: &str) -> StoreResult<Vec<StateView>> {
                let sql = format!("SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
                                   JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
                                   WHERE s.company_id = $1 AND u.active ORDER BY u.name, u.id");
                let rows = sqlx::query(&sql).bind(company_id).fetch_all(self.reader()).await?;
                rows.iter().map(state_view_from_row).collect()
            }

            async fn apply_state_command(&self, company_id: &str, user_id: &str, command: Command, now: Millis) -> StoreResult<StateChange> {
                let mut tx = self.writer().begin().await?;
                let sql = format!("SELECT {USER_COLUMNS}, {STATE_COLUMNS} FROM operator_states s \
                                   JOIN users u ON u.id = s.user_id LEFT JOIN pause_types p ON p.id = s.pause_type_id \
                                   WHERE s.company_id = $1 AND s.user_id = $2{}", Self::LOCK);
                let row = sqlx::query(&sql).bind(company_id).bind(user_id).fetch_optional(&mut *tx).await?;
                let mut view = state_view_from_row(&row.ok_or(StoreError::NotFound)?)?;

                if let Command::SetStatus { pause_type_id: Some(pause_id), .. } = &command {
                    let row = sqlx::query("SELECT id, name, paid, archived FROM pause_types WHERE company_id = $1 AND id = $2")
                        .bind(company_id).bind(pause_id).fetch_optional(&mut *tx).await?;
                    match row.as_ref().map(pause_type_from_row).transpose()? {
                        Some(p) if !p.archived => view.pause_type = Some(PauseTypeRef::from(&p)),
                        _ => return Err(hovor_core::DomainError::UnknownPauseType.into()),
                    }
                }
                let before = view.state.clone();
                let transition = view.state.apply(command, now)?;
                if view.state.pause_type_id.is_none() {
                    view.pause_type = None;
                }
                if view.state == before {
                    return Ok(StateChange { view, changed: false, written: Vec::new() });
                }
                // Connection counts change without anyone seeing it: store them,
                // but tell nobody.
                let s = &view.state;
                sqlx::query("UPDATE operator_states SET logged_in = $3, status = $4, pause_type_id = $5, live_connections = $6, \
                             disconnected_since = $7, grace_expired = $8, since = $9, cause = $10 WHERE company_id = $1 AND user_id = $2")
                    .bind(company_id).bind(user_id).bind(s.logged_in).bind(s.status.as_str()).bind(&s.pause_type_id)
                    .bind(i64::from(s.live_connections)).bind(s.disconnected_since).bind(s.grace_expired).bind(s.since)
                    .bind(s.cause.as_str())
                    .execute(&mut *tx).await?;

                if transition.record {
                    let last = sqlx::query("SELECT MAX(n) AS n, MAX(CASE WHEN ended_at IS NULL THEN started_at END) AS open_start \
                                            FROM state_history WHERE user_id = $1")
                        .bind(user_id).fetch_one(&mut *tx).await?;
                    let n: i64 = last.try_get::<Option<i64>, _>("n")?.unwrap_or(0) + 1;
                    let open_start: Option<i64> = last.try_get("open_start")?;
                    let start = transition.started_at.max(open_start.unwrap_or(i64::MIN));
                    sqlx::query("UPDATE state_history SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL")
                        .bind(user_id).bind(start).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO state_history (id, company_id, user_id, n, presence, status, pause_type_id, cause, started_at, ended_at) \
                                 VALUES ($1, $2, $3, $9, $4, $5, $6, $7, $8, NULL)")
                        .bind(new_id("his")).bind(company_id).bind(user_id).bind(s.recorded_presence().as_str())
                        .bind(s.status.as_str()).bind(&s.pause_type_id).bind(s.cause.as_str()).bind(start).bind(n)
                        .execute(&mut *tx).await?;
                }

                if !transition.changed {
                    tx.commit().await?;
                    return Ok(StateChange { view, changed: false, written: Vec::new() });
                }

                // Tell the operator's own stream and everyone who watches the company.
                let payload = serde_json::json!({
                    "operator_id": view.operator.id,
                    "name": view.operator.name,
                    "state": view.json(),
                })
                .to_string();
                let streams = user_and_watchers(&mut tx, company_id, user_id).await?;
                let written = append_to_streams(&mut tx, &streams, "operator.state_changed", &payload, now).await?;
                tx.commit().await?;
                Ok(StateChange { view, changed: true, written })
            }

            async fn disconnected_operators(&self) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query("SELECT company_id, user_id FROM operator_states WHERE logged_in AND live_connections = 0 \
                                        AND NOT grace_expired AND disconnected_since IS NOT NULL")
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok((r.try_get("company_id")?, r.try_get("user_id")?))).collect()
            }

            async fn reset_live_connections(&self, _now: Millis) -> StoreResult<Vec<(String, String)>> {
                // Leave one connection each so that a Disconnect command (with its
                // event for every watcher) takes the count to zero.
                let rows = sqlx::query("UPDATE operator_states SET live_connections = 1 WHERE live_connections > 0 RETURNING company_id, user_id")
                    .fetch_all(self.writer()).await?;
                rows.iter().map(|r| Ok((r.try_get("company_id")?, r.try_get("user_id")?))).collect()
            }

            async fn state_history(&self, company_id: &str, user_id: &str, from: Millis, to: Millis, limit: i64, offset: i64) -> StoreResult<Vec<HistoryEntry>> {
                let rows = sqlx::query("SELECT h.presence, h.status, h.pause_type_id, h.cause, h.started_at, h.ended_at, \
                                        p.name AS pause_name, p.paid AS pause_paid FROM state_history h \
                                        LEFT JOIN pause_types p ON p.id = h.pause_type_id \
                                        WHERE h.company_id = $1 AND h.user_id = $2 AND h.started_at < $4 AND (h.ended_at IS NULL OR h.ended_at > $3) \
                                        ORDER BY h.n DESC LIMIT $5 OFFSET $6")
                    .bind(company_id).bind(user_id).bind(from).bind(to).bind(limit).bind(offset)
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| {
                    let presence: String = r.try_get("presence")?;
                    let status: String = r.try_get("status")?;
                    let cause: String = r.try_get("cause")?;
                    Ok(HistoryEntry {
                        presence: Presence::parse(&presence).ok_or_else(|| corrupt("presence", &presence))?.as_str(),
                        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?.as_str(),
                        pause_type: pause_ref(r.try_get("pause_type_id")?, r.try_get("pause_name")?, r.try_get("pause_paid")?),
                        cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?.as_str(),
                        started_at: r.try_get("started_at")?,
                        ended_at: r.try_get("ended_at")?,
                    })
                }).collect()
            }

            async fn history_spans(&self, company_id: &str, user_id: &str, from: Millis, to: Millis) -> StoreResult<Vec<HistorySpan>> {
                let rows = sqlx::query("SELECT presence, pause_type_id, started_at, ended_at FROM state_history \
                                        WHERE company_id = $1 AND user_id = $2 AND started_at < $4 AND (ended_at IS NULL OR ended_at > $3) \
                                        ORDER BY n")
                    .bind(company_id).bind(user_id).bind(from).bind(to)
                    .fetch_all(self.reader()).await?;
                rows.iter().map(|r| {
                    let presence: String = r.try_get("presence")?;
                    Ok(HistorySpan {
                        presence: Presence::parse(&presence).ok_or_else(|| corrupt("presence", &presence))?,
                        pause_type_id: r.try_get("pause_type_id")?,
                        started_at: r.try_get("started_at")?,
                        ended_at: r.try_get("ended_at")?,
                    })
                }).collect()
            }

            async fn channels(&self, company_id: &str, user_id: &str) -> StoreResult<Vec<ChannelSetting>> {
                let rows = sqlx::query("SELECT channel, capacity, enabled FROM operator_channels WHERE company_id = $1 AND user_id = $2")
                    .bind(company_id).bind(user_id).fetch_all(self.reader()).await?;
                let mut list = rows.iter().map(channel_from_row).collect::<StoreResult<Vec<_>>>()?;
                list.sort_by_key(|c| c.channel);
                Ok(list)
            }

            async fn company_channels(&self, company_id: &str) -> StoreResult<Vec<(String, ChannelSetting)>> {
                let rows = sqlx::query("SELECT user_id, channel, capacity, enabled FROM operator_channels WHERE company_id = $1")
                    .bind(company_id).fetch_all(self.reader()).await?;
                let mut list = rows.iter()
                    .map(|r| Ok((r.try_get::<String, _>("user_id")?, channel_from_row(r)?)))
                    .collect::<StoreResult<Vec<_>>>()?;
                list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.channel.cmp(&b.1.channel)));
                Ok(list)
            }

            async fn assign_channels(&self, company_id: &str, user_id: &str, assigned: &[(Channel, u32)], now: Millis) -> StoreResult<ChannelChange> {
                let mut tx = self.writer().begin().await?;
                let exists = sqlx::query("SELECT id FROM users WHERE company_id = $1 AND id = $2")
                    .bind(company_id).bind(user_id).fetch_optional(&mut *tx).await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                for channel in Channel::ALL {
                    match assigned.iter().find(|(c, _)| *c == channel) {
                        // Newly assigned channels start switched on; kept ones keep their switch.
                        Some((_, capacity)) => {
                            sqlx::query("INSERT INTO operator_channels (user_id, company_id, channel, capacity, enabled) VALUES ($1, $2, $3, $4, $5) \
                                         ON CONFLICT (user_id, channel) DO UPDATE SET capacity = excluded.capacity")
                                .bind(user_id).bind(company_id).bind(channel.as_str()).bind(i64::from(*capacity)).bind(true)
                                .execute(&mut *tx).await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM operator_channels WHERE user_id = $1 AND channel = $2")
                                .bind(user_id).bind(channel.as_str()).execute(&mut *tx).await?;
                        }
                    }
                }
                let change = channel_event(&mut tx, company_id, user_id, now).await?;
                tx.commit().await?;
                Ok(change)
            }

            async fn set_channel_enabled(&self, company_id: &str, user_id: &str, channel: Channel, enabled: bool, now: Millis) -> StoreResult<Option<ChannelChange>> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query("UPDATE operator_channels SET enabled = $4 WHERE company_id = $1 AND user_id = $2 AND channel = $3")
                    .bind(company_id).bind(user_id).bind(channel.as_str()).bind(enabled)
                    .execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                let change = channel_event(&mut tx, company_id, user_id, now).await?;
                tx.commit().await?;
                Ok(Some(change))
            }

            async fn events_after(&self, stream: &str, after_seq: i64, limit: i64) -> StoreResult<Vec<StreamEvent>> {
                let rows = sqlx::query("SELECT seq, kind, payload FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3")
                    .bind(stream).bind(after_seq).bind(limit).fetch_all(self.reader()).await?;
                rows.iter().map(|r| Ok(StreamEvent { seq: r.try_get("seq")?, kind: r.try_get("kind")?, payload: r.try_get("payload")? })).collect()
            }

            async fn last_seq(&self, stream: &str) -> StoreResult<i64> {
                let row = sqlx::query("SELECT last_seq FROM streams WHERE stream = $1").bind(stream).fetch_optional(self.reader()).await?;
                Ok(match row { Some(r) => r.try_get("last_seq")?, None => 0 })
            }
        }
    };
}

pub(crate) use sql_store;
