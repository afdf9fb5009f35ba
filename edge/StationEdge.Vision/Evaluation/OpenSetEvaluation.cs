using System.Numerics.Tensors;
using StationEdge.Vision.Recognition;

namespace StationEdge.Vision.Evaluation;

/// <summary>Who the strangers of a door simulation are.</summary>
public enum StrangerProtocol
{
    /// <summary>Every person is once the stranger: all their walk-ups meet the gallery without them.</summary>
    LeaveOnePersonOut,

    /// <summary>Walk-ups of people with no templates in the gallery are the strangers (a gallery file and a probes file).</summary>
    NotInGallery,
}

/// <summary>A person's enrolled templates (unit or any positive scale).</summary>
public sealed record OpenSetPerson(string Person, IReadOnlyList<float[]> Templates);

/// <summary>
/// One walk-up: its fused embedding, or none with the reason it was refused before matching (low quality).
/// <paramref name="Enrolled"/>: the photo is one of the person's templates, so it walks up only as a stranger's.
/// </summary>
public sealed record OpenSetWalkUp(string Person, string Label, float[]? Embedding, string? Refusal, bool Enrolled = false);

/// <summary>What the door did with one walk-up. <paramref name="Score"/> is the top worker's; NaN when refused before matching.</summary>
public sealed record WalkUpOutcome(string Person, string Label, bool Stranger, string? TopWorker, float Score, float Threshold, bool LetIn, string? Refusal)
{
    /// <summary>An enrolled person's walk-up let in as someone else: the door opened, the visit is logged to the wrong worker.</summary>
    public bool WrongWorker => !Stranger && LetIn && TopWorker != Person;
}

/// <summary>
/// The door simulation's raw results: every walk-up's outcome at the rule, and the scores the figures at other
/// thresholds are drawn from. <paramref name="StrangerPairScores"/> holds every stranger walk-up against every worker it
/// met (what <see cref="StrangerTail"/> is fitted to).
/// </summary>
public sealed record OpenSetResult(
    int GalleryWorkers,
    int StrangerGalleryWorkers,
    int Templates,
    IReadOnlyList<WalkUpOutcome> Outcomes,
    IReadOnlyList<double> StrangerPairScores)
{
    public IEnumerable<WalkUpOutcome> Enrolled => Outcomes.Where(o => !o.Stranger);

    public IEnumerable<WalkUpOutcome> Strangers => Outcomes.Where(o => o.Stranger);

    /// <summary>Enrolled walk-ups let in as themselves at <paramref name="threshold"/> (the top worker fixed, the threshold moved).</summary>
    public int EnrolledLetInAt(double threshold) => Enrolled.Count(o => o.Refusal is null && o.TopWorker == o.Person && o.Score >= threshold);

    public int StrangersLetInAt(double threshold) => Strangers.Count(o => o.Refusal is null && o.Score >= threshold);
}

/// <summary>
/// The door simulation behind <c>eval --open-set</c>: walk-ups searched in a real <see cref="FaceGallery"/> with the rule
/// given, so the figures are those of the code a station runs.
/// </summary>
public static class OpenSetEvaluation
{
    public static OpenSetResult Run(
        IReadOnlyList<OpenSetPerson> gallery,
        IReadOnlyList<OpenSetWalkUp> walkUps,
        StrangerProtocol protocol,
        GalleryOptions rule,
        string embedderTag = "evaluation")
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(walkUps);
        ArgumentNullException.ThrowIfNull(rule);
        var enrolled = gallery.Where(p => p.Templates.Count > 0).ToList();
        if (enrolled.Count < 2)
        {
            throw new ArgumentException($"a door simulation needs at least 2 enrolled people, have {enrolled.Count}", nameof(gallery));
        }

        var dims = enrolled[0].Templates[0].Length;
        using var faces = new FaceGallery(embedderTag, dims, rule);
        var templates = new Dictionary<string, List<FaceTemplate>>(StringComparer.Ordinal);
        foreach (var person in enrolled)
        {
            templates[person.Person] = person.Templates.Select(t => new FaceTemplate(Guid.NewGuid(), person.Person, t, embedderTag)).ToList();
            templates[person.Person].ForEach(faces.Add);
        }

        var outcomes = new List<WalkUpOutcome>(walkUps.Count);
        var pairScores = new List<double>();
        var byPerson = walkUps.GroupBy(w => w.Person, StringComparer.Ordinal);
        foreach (var group in byPerson)
        {
            var isEnrolled = templates.TryGetValue(group.Key, out var own);
            if (isEnrolled)
            {
                foreach (var walkUp in group.Where(w => !w.Enrolled))
                {
                    outcomes.Add(Decide(faces, walkUp, stranger: false));
                }
            }

            var strangers = protocol == StrangerProtocol.LeaveOnePersonOut || !isEnrolled;
            if (!strangers)
            {
                continue;
            }

            // Leave-one-person-out: the person is taken out of the gallery, walks up with every photo, and goes back in.
            if (isEnrolled)
            {
                faces.RemoveWorker(group.Key);
            }

            try
            {
                var others = templates.Where(t => t.Key != group.Key).Select(t => t.Value).ToList();
                foreach (var walkUp in group)
                {
                    outcomes.Add(Decide(faces, walkUp, stranger: true));
                    if (walkUp.Embedding is { } e)
                    {
                        pairScores.AddRange(others.Select(t => (double)Score(t, e, rule.Templates)));
                    }
                }
            }
            finally
            {
                if (isEnrolled)
                {
                    own!.ForEach(faces.Add);
                }
            }
        }

        var strangerWorkers = protocol == StrangerProtocol.LeaveOnePersonOut ? enrolled.Count - 1 : enrolled.Count;
        return new OpenSetResult(enrolled.Count, strangerWorkers, enrolled.Sum(p => p.Templates.Count), outcomes, pairScores);
    }

    private static WalkUpOutcome Decide(FaceGallery faces, OpenSetWalkUp walkUp, bool stranger)
    {
        if (walkUp.Embedding is null)
        {
            return new WalkUpOutcome(walkUp.Person, walkUp.Label, stranger, null, float.NaN, faces.CurrentThreshold, false, walkUp.Refusal ?? "no embedding");
        }

        var match = faces.Search(walkUp.Embedding);
        return new WalkUpOutcome(walkUp.Person, walkUp.Label, stranger, match.WorkerId, match.Score, match.Threshold, match.IsKnown, null);
    }

    /// <summary>A worker's score for a probe, as the gallery computes it (centroid or best template).</summary>
    private static float Score(List<FaceTemplate> templates, float[] probe, TemplateCombination combination)
    {
        var probeNorm = TensorPrimitives.Norm(probe);
        if (combination == TemplateCombination.Best)
        {
            return templates.Max(t => TensorPrimitives.CosineSimilarity(t.Embedding, probe));
        }

        var centroid = WalkUpFusion.Fuse(templates.Select(t => t.Embedding).ToList());
        return TensorPrimitives.Dot(centroid, probe) / probeNorm;
    }
}
