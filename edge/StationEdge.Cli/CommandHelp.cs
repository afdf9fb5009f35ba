namespace StationEdge.Cli;

/// <summary>What <c>station-edge COMMAND --help</c> prints: the command's flags, what it prints, and the exit codes.</summary>
internal static class CommandHelp
{
    private const string Models = "  --models DIR   the models folder (default out/models, or $STATIONEDGE_MODELS)";
    private const string Threads = "  --threads N    ONNX Runtime intra-op threads, 1 to 64 (default 2)";
    private const string Json = "  --json         one JSON document on stdout instead of text";
    private const string ExitCodes = "exit codes: 0 success, 2 bad input, 3 fault, 130 interrupted; each failure is one line on stderr";

    private static readonly Dictionary<string, string[]> Text = new(StringComparer.Ordinal)
    {
        ["detect"] =
        [
            "usage: station-edge detect --photo P [--liveness] [--models DIR] [--threads N] [--json]",
            "Every face in one photo: box, keypoints, detector score and quality (inter-eye distance, yaw, sharpness, brightness).",
            "  --photo P      a JPEG, PNG, WebP, BMP, GIF, TIFF or PPM file; - (or /dev/stdin) reads it from stdin, at most 128 MiB",
            "  --liveness     also score each face with the liveness model",
            Models, Threads, Json,
        ],
        ["eval"] =
        [
            "usage: station-edge eval --pairs CSV [--images DIR] [--liveness] [--models DIR] [--threads N] [--json]",
            "1:1 verification over a pairs file: AUC, EER, TAR at FAR 1% and 0.1% with their thresholds, the share of",
            "same-person pairs the default threshold accepts, score distributions, and which threshold to set.",
            "  --pairs CSV    header left,right,same; same is 1 or 0; paths relative to the CSV's folder",
            "  --images DIR   read the pairs file's paths relative to DIR instead",
            "  --liveness     also report the share of genuine faces the liveness model calls fake",
            Models, Threads, Json,
            "",
            "usage: station-edge eval --open-set (--photos DIR | --pairs CSV | --gallery CSV --probes CSV) [--enroll K] [--frames M]",
            "                         [--far F] [--threshold T] [--templates centroid|best] [--embedder faceplugin|mobilefacenet]",
            "                         [--no-mirror] [--margin M] [--liveness] [--models DIR] [--threads N] [--json]",
            "The door simulation: strangers let in and enrolled people refused at the station's rule, K and the gallery size,",
            "and the threshold for a stranger rate. Every person is once the stranger (leave-one-person-out).",
            "  --photos DIR   person/photo.jpg folders, or a folder with a pairs.csv",
            "  --gallery CSV  header photo,person: who is enrolled; --probes CSV the walk-ups (others are strangers)",
            "  --enroll K     photos enrolled per person, 1 to 50 (default 1)",
            "  --frames M     frames per walk-up, fused: the photo and M - 1 re-framed copies, 1 to 30 (default 1)",
            "  --far F        the stranger rate to find the threshold for (default 0.001)",
            "  --threshold T  a fixed threshold instead of the one calibrated from the gallery",
        ],
        ["match"] =
        [
            "usage: station-edge match --photos P... [--threshold T] [--margin M] [--models DIR] [--threads N] [--json]",
            "Who appears in more than one photo, by the open-set rule the door uses.",
            "  --photos P...  the photos, each file once",
            "  --threshold T  least cosine similarity for a match, 0 to 1 (default 0.55)",
            "  --margin M     least lead of the best match over the next person, 0 to 1 (default 0.05)",
            Models, Threads, Json,
        ],
        ["bench"] =
        [
            "usage: station-edge bench [--runs N] [--photos P...] [--models DIR] [--json]",
            "Speed and memory on this machine: each stage on 1 and 2 threads, gallery search, and the same models under OpenCV DNN.",
            "  --runs N       timed runs per stage, 1 to 1000",
            "  --photos P...  the photos to time (default the demo photos in the models folder)",
            Models, Json,
        ],
        ["doctor"] =
        [
            "usage: station-edge doctor [--models DIR] [--config F] [--json]",
            "Checks that ONNX Runtime loads, every model's sha256, ffmpeg, the GPIO driver, the board and the configured",
            "door pins, and says how to fix what fails.",
            Models,
            "  --config F     the door configuration whose pins are checked (JSON); default: the built-in pin map",
            Json,
        ],
        ["door-sim"] =
        [
            "usage: station-edge door-sim [--config F]",
            "The door controller on a simulated chip with virtual time: a scenario as JSON lines on stdin",
            "({\"at_ms\":0,\"grant\":\"worker-17\"}, {\"at_ms\":1200,\"input\":\"door_contact\",\"level\":\"open\"}, …),",
            "every output change and door event as JSON lines on stdout.",
            "  --config F     the door configuration (JSON); default: the built-in defaults",
        ],
        ["door"] =
        [
            "usage: station-edge door --pulse|--rest [--gpio auto|libgpiod|libgpiod2|sim] [--config F]",
            "--pulse energises the door relay for one Door:PulseMs pulse on the configured chip, to check the wiring;",
            "--rest drives the relay to its rest (de-energised) level and exits (the systemd unit's ExecStopPost).",
            "Events as JSON lines.",
            "  --pulse        one relay pulse",
            "  --rest         the relay to its rest level",
            "  --gpio D       the GPIO driver, overriding the configuration's Gpio:Driver",
            "  --config F     the door configuration (JSON)",
        ],
    };

    public static bool TryGet(string command, out string usage)
    {
        usage = Text.TryGetValue(command, out var lines) ? string.Join(Environment.NewLine, [.. lines, ExitCodes]) : "";
        return lines is not null;
    }
}
