using Microsoft.Data.Sqlite;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

public sealed partial class StationStore
{
    private const string WorkerColumns =
        "id, name, phone, employer, member_number, status, valid_until, consent_at, consent_version, enrolled_by, home_station, created_at, updated_at, consent_scope, consent_scope_at, consent_scope_by";

    /// <summary>Stores a new worker (active) with their templates and an audit entry, all in one transaction.</summary>
    /// <exception cref="StoreException">Bad input, or the id is already enrolled (<see cref="StoreFault.Conflict"/>).</exception>
    public async Task<Enrollment> EnrollAsync(NewWorker worker, IReadOnlyList<NewTemplate> templates, KeeperContext by, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(templates);
        Keeper(by);
        var row = ToRow(worker, by, Now());
        CheckTemplates(templates);
        return await _db.WriteAsync($"the enrollment of {worker.Id}", async (c, t) =>
        {
            var now = Now();
            if (await FindWorkerAsync(c, t, worker.Id, ct) is { } existing)
            {
                throw new StoreException(StoreFault.Conflict, $"worker {worker.Id} is already enrolled ({existing.Name}, since {existing.CreatedAt:yyyy-MM-dd})");
            }

            var stored = row with { CreatedAt = now, UpdatedAt = now };
            using (var insert = c.Command($"INSERT INTO workers ({WorkerColumns}) VALUES ($id, $name, $phone, $employer, $member, $status, $valid, $consentAt, $consentVersion, $by, $home, $created, $updated, $scope, $created, $by)", t))
            {
                insert.With("$id", stored.Id).With("$name", stored.Name).With("$phone", stored.Phone).With("$employer", stored.Employer)
                    .With("$member", stored.MemberNumber).With("$status", Status(stored.Status))
                    .With("$valid", stored.ValidUntil is { } v ? Column.Date(v) : null).With("$consentAt", Column.Time(stored.ConsentAt))
                    .With("$consentVersion", stored.ConsentVersion).With("$by", stored.EnrolledBy).With("$home", stored.HomeStation)
                    .With("$created", Column.Time(now)).With("$updated", Column.Time(now)).With("$scope", Scope(stored.ConsentScope));
                await insert.ExecuteNonQueryAsync(ct);
            }

            var ids = await InsertTemplatesAsync(c, t, worker.Id, templates, now, ct);
            await AuditAsync(c, t, by, "worker.enroll", worker.Id, $"{ids.Count} templates, consent {worker.ConsentVersion}, scope {Scope(stored.ConsentScope)}", now, ct);
            return new Enrollment(stored with { ConsentScopeAt = now }, ids);
        }, ct);
    }

    public Task<Worker?> GetWorkerAsync(string id, CancellationToken ct = default)
    {
        Input.WorkerId(id);
        return _db.ReadAsync(c => FindWorkerAsync(c, null, id, ct), ct);
    }

    /// <summary>Every worker, by id.</summary>
    public Task<IReadOnlyList<Worker>> ListWorkersAsync(CancellationToken ct = default) =>
        _db.ReadAsync(c => ReadWorkersAsync(c.Command($"SELECT {WorkerColumns} FROM workers ORDER BY id"), ct), ct);

    /// <summary>Workers whose name, member number or id contains <paramref name="text"/>, or whose phone contains its digits.</summary>
    public Task<IReadOnlyList<Worker>> SearchWorkersAsync(string text, int limit = 50, CancellationToken ct = default)
    {
        var query = Input.Text(text?.Trim(), "search text");
        Input.Limit(limit);
        var digits = new string([.. query.Where(char.IsAsciiDigit)]);
        return _db.ReadAsync(c => ReadWorkersAsync(
            c.Command($"""
                SELECT {WorkerColumns} FROM workers
                WHERE name LIKE $like ESCAPE '\' OR member_number LIKE $like ESCAPE '\' OR id LIKE $like ESCAPE '\'
                   OR ($digits IS NOT NULL AND phone LIKE $phone ESCAPE '\')
                ORDER BY name, id LIMIT $limit
                """)
                .With("$like", $"%{EscapeLike(query)}%")
                .With("$digits", digits.Length >= 3 ? digits : null)
                .With("$phone", $"%{digits}%")
                .With("$limit", limit), ct), ct);
    }

    /// <summary>Suspends or resumes a worker (audited); returns the worker as stored.</summary>
    public Task<Worker> SetWorkerStatusAsync(string id, WorkerStatus status, KeeperContext by, CancellationToken ct = default)
    {
        Input.WorkerId(id);
        Keeper(by);
        if (!Enum.IsDefined(status))
        {
            throw Input.Invalid($"worker status {status} is not active or suspended");
        }

        var action = status == WorkerStatus.Suspended ? "worker.suspend" : "worker.resume";
        return _db.WriteAsync($"the status of {id}", async (c, t) =>
        {
            var now = Now();
            using (var update = c.Command("UPDATE workers SET status = $status, updated_at = $now WHERE id = $id", t)
                .With("$status", Status(status)).With("$now", Column.Time(now)).With("$id", id))
            {
                if (await update.ExecuteNonQueryAsync(ct) == 0)
                {
                    throw NoWorker(id);
                }
            }

            await AuditAsync(c, t, by, action, id, null, now, ct);
            return (await FindWorkerAsync(c, t, id, ct))!;
        }, ct);
    }

    /// <summary>
    /// Changes a worker's name, phone, employer, member number and valid-until to <paramref name="profile"/> (audited,
    /// naming the fields changed; the old and new values of valid-until, but no personal data, since the audit log
    /// outlives a deleted worker). Returns the worker as stored; when nothing differs, nothing is written.
    /// </summary>
    /// <exception cref="StoreException">Bad input (naming the field), or no such worker (<see cref="StoreFault.NotFound"/>).</exception>
    public Task<Worker> UpdateWorkerAsync(string id, WorkerProfile profile, KeeperContext by, CancellationToken ct = default)
    {
        Input.WorkerId(id);
        ArgumentNullException.ThrowIfNull(profile);
        Keeper(by);
        var wanted = new WorkerProfile
        {
            Name = Input.Text(profile.Name, "worker name"),
            Phone = Input.Phone(profile.Phone),
            Employer = Input.OptionalText(profile.Employer, "employer"),
            MemberNumber = Input.OptionalText(profile.MemberNumber, "member number"),
            ValidUntil = profile.ValidUntil,
        };
        return _db.WriteAsync($"the edit of {id}", async (c, t) =>
        {
            var current = await FindWorkerAsync(c, t, id, ct) ?? throw NoWorker(id);
            var changes = Changes(WorkerProfile.From(current), wanted);
            if (changes.Count == 0)
            {
                return current;
            }

            var now = Now();
            using (var update = c.Command("""
                UPDATE workers SET name = $name, phone = $phone, employer = $employer, member_number = $member, valid_until = $valid, updated_at = $now
                WHERE id = $id
                """, t))
            {
                update.With("$name", wanted.Name).With("$phone", wanted.Phone).With("$employer", wanted.Employer).With("$member", wanted.MemberNumber)
                    .With("$valid", wanted.ValidUntil is { } v ? Column.Date(v) : null).With("$now", Column.Time(now)).With("$id", id);
                await update.ExecuteNonQueryAsync(ct);
            }

            await AuditAsync(c, t, by, "worker.edit", id, string.Join(", ", changes), now, ct);
            return (await FindWorkerAsync(c, t, id, ct))!;
        }, ct);
    }

    /// <summary>
    /// Records where the worker agreed to be recognised (audited as <c>worker.consent</c> with the old and new scope, and
    /// announced to the county like any worker change: from county to station, the county withdraws their templates).
    /// Returns the worker as stored; when the scope is already <paramref name="scope"/>, nothing is written.
    /// </summary>
    /// <exception cref="StoreException">Bad input, or no such worker (<see cref="StoreFault.NotFound"/>).</exception>
    public Task<Worker> SetConsentScopeAsync(string id, ConsentScope scope, KeeperContext by, CancellationToken ct = default)
    {
        Input.WorkerId(id);
        Keeper(by);
        if (!Enum.IsDefined(scope))
        {
            throw Input.Invalid($"consent scope {scope} is not station or county");
        }

        return _db.WriteAsync($"the consent scope of {id}", async (c, t) =>
        {
            var current = await FindWorkerAsync(c, t, id, ct) ?? throw NoWorker(id);
            if (current.ConsentScope == scope)
            {
                return current;
            }

            var now = Now();
            using (var update = c.Command("UPDATE workers SET consent_scope = $scope, consent_scope_at = $now, consent_scope_by = $by, updated_at = $now WHERE id = $id", t)
                .With("$scope", Scope(scope)).With("$now", Column.Time(now)).With("$by", by.Keeper).With("$id", id))
            {
                await update.ExecuteNonQueryAsync(ct);
            }

            await AuditAsync(c, t, by, "worker.consent", id, $"consent scope {Scope(current.ConsentScope)} -> {Scope(scope)}", now, ct);
            return (await FindWorkerAsync(c, t, id, ct))!;
        }, ct);
    }

    /// <summary>Deletes a worker with their templates and crops (audited). Their visits stay, keeping only the worker id.</summary>
    public Task<WorkerDeletion> DeleteWorkerAsync(string id, KeeperContext by, CancellationToken ct = default)
    {
        Input.WorkerId(id);
        Keeper(by);
        return _db.WriteAsync($"the deletion of {id}", async (c, t) =>
        {
            using var count = c.Command("""
                SELECT (SELECT count(*) FROM templates WHERE worker_id = $id),
                       (SELECT count(*) FROM crops JOIN templates ON templates.id = crops.template_id WHERE worker_id = $id)
                """, t).With("$id", id);
            int templates, crops;
            await using (var reader = await count.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                (templates, crops) = (reader.GetInt32(0), reader.GetInt32(1));
            }

            using (var delete = c.Command("DELETE FROM workers WHERE id = $id", t).With("$id", id))
            {
                if (await delete.ExecuteNonQueryAsync(ct) == 0)
                {
                    throw NoWorker(id);
                }
            }

            await AuditAsync(c, t, by, "worker.delete", id, $"{templates} templates, {crops} crops removed", Now(), ct);
            return new WorkerDeletion(id, templates, crops);
        }, ct);
    }

    /// <summary>The audit's words for what differs: field names, and valid-until's old and new dates.</summary>
    private static List<string> Changes(WorkerProfile before, WorkerProfile after)
    {
        var changes = new List<string>();
        void Field(string name, string? old, string? now)
        {
            if (!string.Equals(old, now, StringComparison.Ordinal))
            {
                changes.Add(name);
            }
        }

        Field("name", before.Name, after.Name);
        Field("phone", before.Phone, after.Phone);
        Field("employer", before.Employer, after.Employer);
        Field("member_number", before.MemberNumber, after.MemberNumber);
        if (before.ValidUntil != after.ValidUntil)
        {
            changes.Add($"valid_until {Shown(before.ValidUntil)} -> {Shown(after.ValidUntil)}");
        }

        return changes;

        static string Shown(DateOnly? date) => date is { } d ? Column.Date(d) : "none";
    }

    private static Worker ToRow(NewWorker worker, KeeperContext by, DateTimeOffset now) => new()
    {
        Id = Input.WorkerId(worker.Id),
        Name = Input.Text(worker.Name, "worker name"),
        Phone = Input.Phone(worker.Phone),
        Employer = Input.OptionalText(worker.Employer, "employer"),
        MemberNumber = Input.OptionalText(worker.MemberNumber, "member number"),
        Status = WorkerStatus.Active,
        ValidUntil = worker.ValidUntil,
        ConsentAt = Column.Truncate(worker.ConsentAt ?? now),
        ConsentVersion = Input.Text(worker.ConsentVersion, "consent version"),
        ConsentScope = Enum.IsDefined(worker.ConsentScope) ? worker.ConsentScope : throw Input.Invalid($"consent scope {worker.ConsentScope} is not station or county"),
        ConsentScopeBy = by.Keeper,
        EnrolledBy = by.Keeper,
        HomeStation = Input.OptionalText(worker.HomeStation, "home station"),
        CreatedAt = default,
        UpdatedAt = default,
    };

    private static async Task<Worker?> FindWorkerAsync(SqliteConnection c, SqliteTransaction? t, string id, CancellationToken ct)
    {
        var found = await ReadWorkersAsync(c.Command($"SELECT {WorkerColumns} FROM workers WHERE id = $id", t).With("$id", id), ct);
        return found.Count == 0 ? null : found[0];
    }

    private static Task<IReadOnlyList<Worker>> ReadWorkersAsync(SqliteCommand command, CancellationToken ct) =>
        command.RowsAsync(r => new Worker
        {
            Id = r.GetString(0),
            Name = r.GetString(1),
            Phone = r.NullableString(2),
            Employer = r.NullableString(3),
            MemberNumber = r.NullableString(4),
            Status = r.GetString(5) == "suspended" ? WorkerStatus.Suspended : WorkerStatus.Active,
            ValidUntil = r.NullableString(6) is { } valid ? Column.Date(valid) : null,
            ConsentAt = Column.Time(r.GetString(7)),
            ConsentVersion = r.GetString(8),
            EnrolledBy = r.GetString(9),
            HomeStation = r.NullableString(10),
            CreatedAt = Column.Time(r.GetString(11)),
            UpdatedAt = Column.Time(r.GetString(12)),
            ConsentScope = r.GetString(13) == "county" ? ConsentScope.County : ConsentScope.Station,
            ConsentScopeAt = Column.Time(r.GetString(14)),
            ConsentScopeBy = r.GetString(15),
        }, ct);

    private static string Status(WorkerStatus status) => status == WorkerStatus.Suspended ? "suspended" : "active";

    private static string Scope(ConsentScope scope) => scope == ConsentScope.County ? "county" : "station";

    private static StoreException NoWorker(string id) => new(StoreFault.NotFound, $"no worker {id} is enrolled");

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
