using Iot.Device.Board;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Cli.Commands;

/// <summary>doctor's door checks: which GPIO driver <c>Gpio:Driver</c> comes to, the board, and door pins another function already uses.</summary>
internal static class DoorDoctorChecks
{
    private const string ModelFile = "/proc/device-tree/model";

    public static IReadOnlyList<DoctorCommand.Check> Run(string? configPath)
    {
        DoorSettings settings;
        try
        {
            settings = DoorCommandLine.LoadSettings("doctor", configPath);
        }
        catch (CliError failure)
        {
            return [new DoctorCommand.Check("door config", false, failure.Message, "fix the file --config names")];
        }

        var model = File.Exists(ModelFile) ? File.ReadAllText(ModelFile).TrimEnd('\0', '\n') : null;
        return [Driver(settings.Gpio.Driver, GpioDriverFactory.CanLoad), Board(model), Pins(settings.Door, model, ReadPinUsage)];
    }

    internal static DoctorCommand.Check Driver(GpioDriverKind configured, Func<string, bool> canLoad)
    {
        const string Fix = "apt-get install libgpiod2 (bookworm) or libgpiod3 (trixie)";
        try
        {
            var kind = GpioDriverFactory.Resolve(configured, canLoad);
            var detail = kind switch
            {
                GpioDriverKind.Sim => "sim: the simulated chip (no hardware is driven)",
                GpioDriverKind.Libgpiod2 => $"libgpiod2: LibGpiodV2Driver ({GpioDriverFactory.Libgpiod2Library})",
                _ => $"libgpiod: LibGpiodDriver ({GpioDriverFactory.Libgpiod1Library})",
            };
            var library = kind switch
            {
                GpioDriverKind.Libgpiod2 => GpioDriverFactory.Libgpiod2Library,
                GpioDriverKind.Libgpiod => GpioDriverFactory.Libgpiod1Library,
                _ => null,
            };
            if (library is not null && !canLoad(library))
            {
                return new DoctorCommand.Check("gpio driver", false, $"{detail}: {library} cannot be loaded", Fix);
            }

            return new DoctorCommand.Check("gpio driver", true, (configured == GpioDriverKind.Auto ? "auto → " : "") + detail, null);
        }
        catch (GpioException failure)
        {
            return new DoctorCommand.Check("gpio driver", false, failure.Message, Fix);
        }
    }

    internal static DoctorCommand.Check Board(string? model) =>
        model is not null && model.StartsWith("Raspberry Pi", StringComparison.Ordinal)
            ? new DoctorCommand.Check("board", true, $"{model} ({typeof(RaspberryPiBoard).FullName})", null)
            : new DoctorCommand.Check("board", true, $"not a Raspberry Pi ({(model is null ? $"no {ModelFile}" : model)})", null);

    /// <param name="usage">What each pin is muxed to now (Iot.Device.Board); null when the board cannot tell.</param>
    internal static DoctorCommand.Check Pins(DoorOptions door, string? model, Func<int, PinUsage?> usage)
    {
        var pins = PinMap(door);
        var list = string.Join(", ", pins.Select(p => $"{p.Line} ({p.Key})"));
        if (model is null || !model.StartsWith("Raspberry Pi", StringComparison.Ordinal))
        {
            return new DoctorCommand.Check("door pins", true, $"{list}; pin use is read on a Raspberry Pi only", null);
        }

        var busy = new List<string>();
        foreach (var (key, line, expected) in pins)
        {
            if (usage(line) is { } use && use != expected && use is not (PinUsage.None or PinUsage.Unknown))
            {
                busy.Add($"{key} {line} is in use as {use}");
            }
        }

        return busy.Count == 0
            ? new DoctorCommand.Check("door pins", true, $"{list}: none in use by another function", null)
            : new DoctorCommand.Check("door pins", false, string.Join("; ", busy), "pick other lines in the config, or turn that function off in /boot/firmware/config.txt");
    }

    private static List<(string Key, int Line, PinUsage Expected)> PinMap(DoorOptions door)
    {
        var pins = new List<(string, int, PinUsage)>();
        void Add(string key, int? line, PinUsage expected = PinUsage.Gpio)
        {
            if (line is { } l)
            {
                pins.Add(($"Door:{key}:Line", l, expected));
            }
        }

        Add("Relay", door.Relay.Line);
        Add("Contact", door.Contact.Line);
        Add("ExitButton", door.ExitButton.Line);
        Add("RelayReadback", door.RelayReadback?.Line);
        Add("Buzzer", door.Buzzer?.Line);
        Add("Led", door.Led?.Line);
        Add("Beeper", door.Beeper?.Line, door.Beeper?.Kind == BeeperKind.Pwm ? PinUsage.Pwm : PinUsage.Gpio);
        Add("Presence", door.Presence?.Line);
        return pins;
    }

    // RaspberryPiBoard reads the pins' alternate functions through its Pi 3/4 driver; on a Pi 5 it cannot.
    private static PinUsage? ReadPinUsage(int line)
    {
        try
        {
            using var board = new RaspberryPiBoard();
            using var gpio = board.CreateGpioController();
            return board.DetermineCurrentPinUsage(line);
        }
        catch (Exception failure) when (failure is NotSupportedException or PlatformNotSupportedException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
