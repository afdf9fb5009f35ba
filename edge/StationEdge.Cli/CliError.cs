namespace StationEdge.Cli;

/// <summary>
/// What ends a command early: a one-line reason and the exit code the design gives it. Program prints it as
/// <c>station-edge: COMMAND: reason</c>, so the reason need not name the command.
/// </summary>
internal sealed class CliError(int exitCode, string message) : Exception(message)
{
    public const int BadInputCode = 2;
    public const int FaultCode = 3;
    public const int InterruptedCode = 130;

    public int ExitCode { get; } = exitCode;

    public static CliError BadInput(string message) => new(BadInputCode, message);

    public static CliError Fault(string message) => new(FaultCode, message);
}
