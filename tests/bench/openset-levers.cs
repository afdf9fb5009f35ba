#:property PublishAot=false
#:property Nullable=disable
// The door simulation for each lever of models/README.md's "Choosing the decision rule", from the features
// tests/bench/openset-features.cs wrote: dotnet run -c Release tests/bench/openset-levers.cs FEATURES.jsonl [--quality] [--single]
// Every person once the stranger (leave-one-person-out); "zeroFA" is the lowest threshold that let no stranger in,
// t(1e-5) where a normal fit of the stranger-worker scores puts a per-pair false-accept rate of 1e-5.
using System.Text.Json;

var rows = File.ReadLines(args[0]).Select(l => JsonDocument.Parse(l).RootElement).ToList();
float[] V(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetSingle()).ToArray();
float[] Norm(float[] v) { var n = MathF.Sqrt(v.Sum(x => x * x)); return v.Select(x => x / n).ToArray(); }
float[] Add(float[] a, float[] b) => a.Zip(b, (x, y) => x + y).ToArray();
float Dot(float[] a, float[] b) { float s = 0; for (var i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }

var photos = rows.Select(r => new Photo(
    r.GetProperty("person").GetString(),
    r.GetProperty("path").GetString(),
    r.GetProperty("q").EnumerateArray().Select(x => x.GetSingle()).ToArray(),
    Feat(r.GetProperty("main")),
    r.GetProperty("frames").EnumerateArray().Select(Feat).ToList(),
    r.GetProperty("main").GetProperty("oldLive").GetSingle(),
    V(r.GetProperty("main"), "live"))).ToList();
var persons = photos.GroupBy(p => p.Person).Select(g => g.OrderBy(p => p.Path, StringComparer.Ordinal).ToList()).ToList();
Console.WriteLine($"{photos.Count} photos, {persons.Count} people");

Feat Feat(JsonElement e) => new(V(e, "m"), V(e, "mf"), V(e, "f"), V(e, "ff"), e.GetProperty("yaw").GetSingle(), e.GetProperty("eye").GetSingle());

float[] Emb(Feat f, string emb, bool mirror, float w)
{
    float[] a = mirror ? Norm(Add(f.M, f.Mf)) : f.M;
    float[] b = mirror ? Norm(Add(f.F, f.Ff)) : f.F;
    return emb switch
    {
        "mfn" => a,
        "fp" => b,
        _ => a.Select(x => x * MathF.Sqrt(w)).Concat(b.Select(x => x * MathF.Sqrt(1 - w))).ToArray(),
    };
}

// ---- liveness
{
    var old = photos.Select(p => p.OldLive).ToList();
    Console.WriteLine($"old liveness: called fake at 0.2: {old.Count(s => s >= 0.2f)}/{old.Count}");
    for (var c = 0; c < 3; c++)
    {
        var probs = photos.Select(p => p.Live[c]).Order().ToList();
        Console.WriteLine($"fp liveness class {c}: median {probs[probs.Count / 2]:0.000} min {probs[0]:0.000} max {probs[^1]:0.000}; argmax share {photos.Count(p => Array.IndexOf(p.Live, p.Live.Max()) == c) / (double)photos.Count:0.000}; <0.5: {probs.Count(x => x < 0.5)}");
    }
}

var configs = new List<(string Name, string Emb, bool Mirror, float W)>
{
    ("mfn", "mfn", false, 0), ("mfn+mirror", "mfn", true, 0),
    ("fp", "fp", false, 0), ("fp+mirror", "fp", true, 0),
    ("fused 0.5 +mirror", "fused", true, 0.5f), ("fused 0.25 +mirror", "fused", true, 0.25f),
};
var quality = args.Contains("--quality");
Console.WriteLine($"quality gate fails: {photos.Count(p => !(Math.Abs(p.Q[2]) <= 30 && p.Q[1] >= 30))}");
foreach (var k in new[] { 1, 2 })
{
    foreach (var combine in k == 1 ? new[] { "max" } : new[] { "max", "centroid" })
    {
        foreach (var c in configs)
        {
            foreach (var walk in new[] { "single", "frames", "photos3" }.Where(w => !args.Contains("--single") || w == "single"))
            {
                Run(c.Name, c.Emb, c.Mirror, c.W, k, combine, walk);
            }
        }
    }
}

void Run(string name, string emb, bool mirror, float w, int k, string combine, string walk)
{
    // gallery: per person, templates from the first k photos
    var gallery = persons.Select(ps => ps.Take(k).Select(p => Emb(p.Main, emb, mirror, w)).ToList()).ToList();
    float Score(int g, float[] probe)
    {
        var t = gallery[g];
        return combine switch
        {
            "max" => t.Max(x => Dot(x, probe)),
            "mean" => t.Average(x => Dot(x, probe)),
            _ => Dot(Norm(t.Aggregate(Add)), probe),
        };
    }

    List<(float[] E, bool Ok)> Walks(List<Photo> ps)
    {
        bool Good(Photo p) => !quality || (Math.Abs(p.Q[2]) <= 30 && p.Q[1] >= 30);
        return walk switch
        {
            "single" => ps.Select(p => (Emb(p.Main, emb, mirror, w), Good(p))).ToList(),
            "frames" => ps.Select(p => (Norm(p.Frames.Select(f => Emb(f, emb, mirror, w)).Append(Emb(p.Main, emb, mirror, w)).Aggregate(Add)), Good(p))).ToList(),
            _ => ps.Chunk(3).Select(ch => (Norm(ch.Select(p => Emb(p.Main, emb, mirror, w)).Aggregate(Add)), ch.Any(Good))).ToList(),
        };
    }

    var genuine = new List<(float Best, bool Right, float Margin)>();
    var strangers = new List<float>();
    var strangerMargin = new List<float>();
    var perPair = new List<float>();
    for (var p = 0; p < persons.Count; p++)
    {
        foreach (var (e, ok) in Walks(persons[p].Skip(k).ToList()))
        {
            var scores = Enumerable.Range(0, persons.Count).Select(g => (g, s: Score(g, e))).OrderByDescending(x => x.s).ToList();
            genuine.Add((ok ? scores[0].s : -1, scores[0].g == p, scores[0].s - scores[1].s));
        }

        foreach (var (e, ok) in Walks(persons[p]))
        {
            var scores = Enumerable.Range(0, persons.Count).Where(g => g != p).Select(g => Score(g, e)).OrderDescending().ToList();
            perPair.AddRange(scores);
            strangers.Add(ok ? scores[0] : -1);
            strangerMargin.Add(scores[0] - scores[1]);
        }
    }

    var t0 = strangers.Max() + 1e-4f;
    double Frr(float t) => genuine.Count(g => !(g.Right && g.Best >= t)) / (double)genuine.Count;
    var mu = perPair.Average();
    var sd = Math.Sqrt(perPair.Sum(x => (x - mu) * (x - mu)) / perPair.Count);
    var t5 = (float)(mu + (4.265 * sd));
    var t6 = (float)(mu + (4.753 * sd));
    var marginNote = "";
    foreach (var m in new[] { 0.03f, 0.05f, 0.1f })
    {
        // strangers admitted need score>=t and margin>=m; choose t for zero FA under margin m
        var idx = Enumerable.Range(0, strangers.Count).Where(i => strangerMargin[i] >= m).ToList();
        var tm = idx.Count == 0 ? -1f : idx.Max(i => strangers[i]) + 1e-4f;
        var frrm = genuine.Count(g => !(g.Right && g.Best >= tm && g.Margin >= m)) / (double)genuine.Count;
        marginNote += $" m{m:0.00}:t={tm:0.000},FRR={frrm:0.000}";
    }
    var at = new[] { 0.55f, 0.60f, 0.65f, 0.70f };
    Console.WriteLine(
        $"K={k} {combine,-8} {name,-18} {walk,-7} n+={genuine.Count,3} n-={strangers.Count,3} pairs={perPair.Count,4} | zeroFA t={t0:0.000} FRR={Frr(t0):0.000} | impostor μ={mu:0.000} σ={sd:0.000} t(1e-5)={t5:0.000} FRR={Frr(t5):0.000} t(1e-6)={t6:0.000} FRR={Frr(t6):0.000} | "
        + marginNote + " | " + string.Join(" ", at.Select(t => $"@{t:0.00} FA={strangers.Count(s => s >= t)} FRR={Frr(t):0.000}")));
}

sealed record Feat(float[] M, float[] Mf, float[] F, float[] Ff, float Yaw, float Eye);
sealed record Photo(string Person, string Path, float[] Q, Feat Main, List<Feat> Frames, float OldLive, float[] Live);
