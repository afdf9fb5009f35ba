namespace StationEdge.Evaluation;

/// <summary>How the faces of a run were aligned: the method, and how many landmark fits fell back to the keypoints.</summary>
public sealed record AlignmentReport(string Method, long LandmarkFits, long Fallbacks)
{
    /// <summary>One line for the text reports.</summary>
    public string Describe() => Method == "keypoints"
        ? "BlazeFace keypoints (4 points)"
        : $"fr_landmark (5 of 68 points): {LandmarkFits} faces, {Fallbacks} fell back to the keypoints (landmarks over half an eye distance from them)";
}
