namespace StationEdge.Hub.Cli;

/// <summary>What ends a command early: one line and its exit code. Printed as <c>county-hub: COMMAND: reason</c>.</summary>
internal sealed class HubCliError(int exitCode, string message) : Exception(message)
{
    public const int BadInputCode = 2;
    public const int FaultCode = 3;
    public const int InterruptedCode = 130;

    public int ExitCode { get; } = exitCode;

    public static HubCliError BadInput(string message) => new(BadInputCode, message);

    public static HubCliError Fault(string message) => new(FaultCode, message);
}
