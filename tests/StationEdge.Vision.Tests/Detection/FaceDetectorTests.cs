using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Detection;

public sealed class FaceDetectorTests : IDisposable
{
    private readonly FaceDetector _detector;

    public FaceDetectorTests()
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        _detector = new FaceDetector(
            new InferenceSession(OnnxTestModels.Bytes(FaceModels.FrontDetectorFile), options),
            new InferenceSession(OnnxTestModels.Bytes(FaceModels.BackDetectorFile), options));
    }

    [Fact]
    public void Detect_BlankFrame_FindsNoFace()
    {
        using var blank = new RgbImage(640, 480);

        Assert.Empty(_detector.Detect(blank));
    }

    [FacesDevFact]
    public async Task Detect_SingleFacePhoto_FindsExactlyOneUprightFaceInsideTheFrame()
    {
        using var image = await FacesDevPhotos.LoadAsync("img1.jpg");

        var face = Assert.Single(_detector.Detect(image));

        Assert.Equal(BlazeFaceModel.Front.Name, face.Model);
        Assert.True(face.Score >= 0.5f);
        Assert.True(face.RightEye.Y < face.MouthCenter.Y && face.LeftEye.Y < face.MouthCenter.Y, "eyes above the mouth");
        Assert.True(face.RightEye.X < face.LeftEye.X, "the subject's right eye is on the image's left");
        Assert.True(face.Box.Contains(face.NoseTip), "nose inside the box");
        Assert.True(face.Box.Left >= -1 && face.Box.Top >= -1 && face.Box.Right <= image.Width + 1 && face.Box.Bottom <= image.Height + 1);
        Assert.True(face.Box.Width > image.Width / 8f, "a portrait's face is not tiny");
    }

    [FacesDevFact]
    public async Task Detect_CouplePhoto_FindsAtLeastTwoFacesSortedByScore()
    {
        using var image = await FacesDevPhotos.LoadAsync("couple.jpg");

        var faces = _detector.Detect(image);

        Assert.True(faces.Count >= 2, $"found {faces.Count} faces");
        Assert.True(faces.Zip(faces.Skip(1)).All(p => p.First.Score >= p.Second.Score), "sorted by score");
        Assert.True(BlazeFaceDecoder.IoU(faces[0].Box, faces[1].Box) < 0.3f, "two different faces");
    }

    [FacesDevFact]
    public async Task Detect_GroupSelfie_BackModelFindsTheFaces()
    {
        using var image = await FacesDevPhotos.LoadAsync("selfie-many-people.jpg");

        var back = _detector.Detect(image, BlazeFaceModel.Back);

        Assert.True(back.Count >= 3, $"back model found {back.Count} faces");
        Assert.All(back, f => Assert.Equal(BlazeFaceModel.Back.Name, f.Model));
        Assert.All(back, f => Assert.True(f.RightEye.Y < f.MouthCenter.Y && f.Box.Contains(f.NoseTip)));
    }

    [FacesDevFact]
    public async Task Detect_FacesTooSmallForTheFrontModel_FallsBackToTheBackModel()
    {
        // The selfie pasted into a 4× larger black frame: every face drops to 1/16–1/25 of the frame's side.
        using var selfie = await FacesDevPhotos.LoadAsync("selfie-many-people.jpg");
        using var frame = new RgbImage(selfie.Width * 4, selfie.Height * 4);
        for (var y = 0; y < selfie.Height; y++)
        {
            selfie.Row(y).CopyTo(frame.Row(y + selfie.Height).Slice(selfie.Width * 3));
        }

        var faces = _detector.Detect(frame);

        Assert.NotEmpty(faces);
        Assert.All(faces, f => Assert.Equal(BlazeFaceModel.Back.Name, f.Model));
        Assert.All(faces, f => Assert.True(f.Box.Left >= selfie.Width - 20 && f.Box.Top >= selfie.Height - 20, "faces lie where the selfie was pasted"));
    }

    [FacesDevFact]
    public async Task Detect_LargeFace_StaysWithTheFrontModel()
    {
        using var image = await FacesDevPhotos.LoadAsync("couple.jpg");

        Assert.All(_detector.Detect(image), f => Assert.Equal(BlazeFaceModel.Front.Name, f.Model));
    }

    public void Dispose() => _detector.Dispose();
}
