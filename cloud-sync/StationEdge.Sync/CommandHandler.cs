using Microsoft.Extensions.Logging;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>
/// The county's signed commands on <c>stations/{id}/commands</c>. A command is refused (logged, a
/// <see cref="EventTypes.CommandRefused"/> event) when its signature fails, it is for another station, it has expired or
/// was made to live longer than <see cref="StationCommand.MaxLifetime"/>, or its nonce was seen before. Nonces are kept
/// in the store until their command's expiry, so a replay after a restart is refused too. The nonce is remembered
/// before the command runs: a crash between the two loses a command rather than running it twice.
/// </summary>
internal sealed partial class CommandHandler(
    StationStore store,
    SyncOptions options,
    CountyKeyRing keys,
    RosterApplier roster,
    IStationControl? control,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Clock difference between the hub and a station that a command's issue time may show.</summary>
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    /// <summary>The visit reason of a door opened by a county command.</summary>
    public const string UnlockReason = "county_unlock";

    public async Task OnCommandAsync(byte[] payload, Func<long, CancellationToken, Task> askResync, CancellationToken ct)
    {
        var read = await keys.OpenAsync<StationCommand>(payload, Schemas.Command, ct);
        if (!read.Ok)
        {
            await RefuseAsync(null, read.Error!, ct);
            return;
        }

        var command = read.Message!;
        var now = time.GetUtcNow();
        var problem = command.StationId != options.StationId ? $"for station {command.StationId}, not {options.StationId}"
            : command.ExpiresAt <= now ? $"expired at {command.ExpiresAt:o}"
            : command.ExpiresAt - command.IssuedAt > StationCommand.MaxLifetime
                ? $"made to live {(command.ExpiresAt - command.IssuedAt).TotalMinutes:0.#} min, over the {StationCommand.MaxLifetime.TotalMinutes:0} min a command may"
            : command.IssuedAt > now + Skew ? $"issued at {command.IssuedAt:o}, in the future"
            : string.IsNullOrWhiteSpace(command.Nonce) || command.Nonce.Length > 128 ? "no usable nonce"
            : null;
        if (problem is null && !await store.RememberNonceAsync(command.Nonce, command.ExpiresAt, ct))
        {
            problem = $"nonce {command.Nonce} was used before (a replay)";
        }

        if (problem is not null)
        {
            await RefuseAsync(command, problem, ct);
            return;
        }

        switch (command.Type)
        {
            case StationCommand.Unlock:
                await UnlockAsync(command, ct);
                break;
            case StationCommand.ResyncRoster:
                await roster.RestartFromZeroAsync(askResync, ct);
                await DoneAsync(command, "the roster is asked for again from version 0", ct);
                break;
            case StationCommand.RotateKeys:
                await RotateAsync(command, ct);
                break;
            default:
                await RefuseAsync(command, $"unknown command type '{command.Type}'", ct);
                break;
        }
    }

    /// <summary>
    /// The county's next signing key, trusted beside the current one until it signs. Only the county's signing key
    /// rotates: the station's broker password and the county's template key are not touched by it.
    /// </summary>
    private async Task RotateAsync(StationCommand command, CancellationToken ct)
    {
        var previous = keys.CurrentKeyId;
        if (await keys.AcceptNextAsync(command.NextPublicKey, $"command {command.Id} by {Clip(command.By)}", ct) is { } problem)
        {
            await RefuseAsync(command, problem, ct);
            return;
        }

        await DoneAsync(command, $"next county key {keys.NextKeyId} trusted beside {previous} until the county signs with it", ct);
    }

    private async Task UnlockAsync(StationCommand command, CancellationToken ct)
    {
        var by = new KeeperContext("county:" + Clip(command.By), "county");
        if (control is null)
        {
            await store.RecordKeeperActionAsync(by, "door.open", null, $"refused: no door at this station; {Clip(command.Reason)} (command {command.Id})", ct);
            await RefuseAsync(command, "this station has no door to open", ct);
            return;
        }

        // The keeper site's one access rule for every method will plug in here, before the door is asked.
        var opened = control.Unlock(Clip(command.By));
        await store.RecordKeeperActionAsync(by, "door.open", null, $"{(opened ? "" : "refused: ")}{Clip(command.Reason)} (command {command.Id})", ct);
        if (!opened)
        {
            await RefuseAsync(command, "the door refused to open (lock-out, fault, or not running)", ct);
            return;
        }

        await control.RecordOpeningAsync(new VisitDraft(VisitDecision.Granted, UnlockReason, VisitMethod.Keeper) { Time = time.GetUtcNow() }, ct);
        await DoneAsync(command, $"door opened for {Clip(command.By)}", ct);
    }

    private async Task DoneAsync(StationCommand command, string details, CancellationToken ct)
    {
        LogDone(logger, command.Type, command.Id, details);
        await store.EnqueueAsync(RosterApplier.Event(options.StationId!, time.GetUtcNow(), EventTypes.CommandDone, $"{command.Type}: {details}", commandId: command.Id), ct);
    }

    private async Task RefuseAsync(StationCommand? command, string reason, CancellationToken ct)
    {
        LogRefused(logger, command?.Type ?? "?", command?.Id, reason);
        await store.EnqueueAsync(RosterApplier.Event(options.StationId!, time.GetUtcNow(), EventTypes.CommandRefused,
            command is null ? reason : $"{Clip(command.Type)}: {reason}", commandId: command?.Id), ct);
    }

    /// <summary>Who asked and why, as the audit log keeps them: one line, bounded (the store refuses control characters).</summary>
    private static string Clip(string? text)
    {
        var line = new string([.. (text ?? "").Where(c => !char.IsControl(c))]).Trim();
        return line.Length == 0 ? "unnamed" : line.Length > 100 ? line[..100] : line;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "command: {Type} {Id} done: {Details}")]
    private static partial void LogDone(ILogger logger, string type, Guid id, string details);

    [LoggerMessage(Level = LogLevel.Warning, Message = "command: {Type} {Id} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string type, Guid? id, string reason);
}
