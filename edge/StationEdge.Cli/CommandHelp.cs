using StationEdge.Cli.Commands;

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
        ["run"] =
        [
            "usage: station-edge run [--camera SRC] [--gpio sim|libgpiod|libgpiod2|auto] [--for SECONDS] [--json] [--data DIR] [--config F] [--models DIR]",
            "The station daemon: the camera's newest frame → detect → the main face followed as a walk-up → quality gate → match;",
            "a grant opens the door and plays the greeting; every decision is recorded. Runs until SIGTERM or SIGINT (exit 0,",
            "the relay dropped first). Decisions, door and camera events and greetings are printed on stdout as they happen; logs go to stderr.",
            "  --camera SRC   overrides Camera:Source: /dev/videoN, rtsp://…, a video file, a folder of photos, lavfi:GRAPH, rpicam",
            "  --gpio D       overrides Gpio:Driver (sim: the simulated chip, whose relay lines are printed too)",
            "  --for SECONDS  stop after this long (demos, tests)",
            StationCli.DataHelp, StationCli.ConfigHelp, Models,
            "  --json         one JSON object per line: {\"event\":\"granted\",\"worker_id\":…}, {\"event\":\"refused\",\"reason\":\"unknown\",…},",
            "                 door events and relay lines as door-sim prints them, camera events, greetings, and a closing summary",
        ],
        ["enroll"] =
        [
            "usage: station-edge enroll --id ID --name NAME --photo P [--photo P2 …] [--consent-version V] [--allow-duplicate] [--data DIR] [--config F] [--models DIR] [--json]",
            "Enrols a worker: each photo must show one face that passes the quality gate (40 px between the eyes, facing the",
            "camera, lit, sharp), all photos one person, and the face must not be enrolled already as another worker.",
            "  --id ID              1–64 of A-Z a-z 0-9 . _ -",
            "  --name NAME          the worker's name",
            "  --photo P            a photo of the worker alone; repeat for more templates",
            "  --consent-version V  the version of the consent text the worker agreed to (default 1)",
            "  --allow-duplicate    enrol even if the face matches another enrolled worker (twins)",
            StationCli.DataHelp, StationCli.ConfigHelp, Models, Json,
        ],
        ["identify"] =
        [
            "usage: station-edge identify --photo P [--photo P2 …] [--data DIR] [--config F] [--models DIR] [--json]",
            "Each photo against the enrolled workers by the rule the door uses, on one frame: main face, quality gate,",
            "match (threshold and margin), liveness, status, validity date, opening hours. A refusal is an answer (exit 0).",
            "  --photo P      a photo; repeat for more",
            StationCli.DataHelp, StationCli.ConfigHelp, Models,
            "  --json         per photo: photo, decision (granted|refused), worker_id (null when nobody matched), score, margin, reason; an array for several",
        ],
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
            "usage: station-edge bench [--runs N] [--photos P...] [--soak SECONDS] [--models DIR] [--json]",
            "Speed and memory on this machine: each stage on 1 and 2 threads, gallery search, the same models under OpenCV DNN,",
            "and the station daemon itself on one core: frame → relay, walk-up → grant, CPU share, sustained frame rate, memory.",
            "  --runs N       timed runs per stage, 1 to 1000",
            "  --photos P...  the photos to time (default the demo photos in the models folder)",
            "  --soak SECONDS how long the daemon runs for its figures (default 60; 600 for the 10-minute memory figure)",
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
