using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// How <see cref="FaceGallery"/> computes its dot products. x64 accelerates both widths (SSE and AVX2); arm64 only
/// 128 bits (NEON), where a Vector256-only loop would fall back to scalar code on a Pi.
/// </summary>
public enum DotProductPath
{
    /// <summary>Vector256 where accelerated, else Vector128, else TensorPrimitives.</summary>
    Auto,

    /// <summary>TensorPrimitives.Dot per row: any dimension count, any CPU.</summary>
    TensorPrimitives,

    /// <summary>Two 128-bit accumulators, 8 floats a step (NEON on arm64); needs dimensions a multiple of 8.</summary>
    Vector128,

    /// <summary>Two 256-bit accumulators, 16 floats a step (AVX2 on x64); needs dimensions a multiple of 16.</summary>
    Vector256,
}

/// <summary>
/// Enrolled templates held as one contiguous row-major matrix of unit vectors, so a search is a single
/// pass of dot products over memory the CPU can stream; beside it one centroid row per worker (the renormalised sum
/// of their templates), which searches use with <see cref="TemplateCombination.Centroid"/>. The decision threshold
/// follows the number of workers enrolled (<see cref="GalleryOptions.ThresholdFor"/>), calibrated by
/// <see cref="ThresholdCalibration"/> on the thread that adds or removes, before the change is visible: a search only
/// reads it. Thread-safe: searches run concurrently, while an add or remove waits for them. Load many templates with
/// <see cref="AddRange"/> and <see cref="RemoveRange"/>: one calibration per batch rather than one per template.
/// </summary>
public sealed class FaceGallery : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<Guid, int> _rowOfTemplate = [];
    private readonly Dictionary<string, int> _workerIndex = new(StringComparer.Ordinal);
    private readonly List<string> _workers = [];
    private readonly List<int> _freeWorkerSlots = [];
    private int[] _templatesPerWorker = new int[16];
    private float[] _matrix;
    private int[] _workerOfRow;
    private Guid[] _templateOfRow;
    private int _rows;
    private float[] _centroids;
    private float[] _centroidSums;
    private int[] _workerOfCentroid;
    private int[] _centroidOfWorker = new int[16];
    private int _centroidRows;
    private readonly ThresholdCalibration _calibration;

    /// <summary>The default embedder's dimension count (faceplugin, 512); MobileFaceNet's is 192. Pass the embedder's own.</summary>
    public const int DefaultDimensions = 512;

    public FaceGallery(string modelSha256, int dimensions = DefaultDimensions, GalleryOptions? options = null, int initialCapacity = 1024)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelSha256);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        options ??= new GalleryOptions();
        if (options.Threshold is { } t && !(t is >= -1f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "match threshold must be in [-1, 1]");
        }

        if (!(options.MinMargin is >= 0f and <= 2f) || options.ReferenceWorkers < 1 || !(options.StricterPerDecade is >= 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "minimum margin must be in [0, 2], reference gallery size at least 1 and the rise per tenfold growth in [0, 1]");
        }

        if (!(options.StrangerRate is > 0 and < 1) || !(options.PriorSpread > 0) || !double.IsFinite(options.PriorMean) || options.PriorPairs < 1 || !(options.MinThreshold is >= -1f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "stranger rate must be in (0, 1), prior spread positive, prior pairs at least 1 and the minimum threshold in [-1, 1]");
        }

        ModelSha256 = modelSha256;
        Dimensions = dimensions;
        Options = options;
        DotProduct = ChoosePath(options.DotProduct, dimensions);
        _matrix = new float[initialCapacity * dimensions];
        _workerOfRow = new int[initialCapacity];
        _templateOfRow = new Guid[initialCapacity];
        _centroids = new float[16 * dimensions];
        _centroidSums = new float[16 * dimensions];
        _workerOfCentroid = new int[16];
        _calibration = new ThresholdCalibration(options);
    }

    public string ModelSha256 { get; }

    public int Dimensions { get; }

    public GalleryOptions Options { get; }

    /// <summary>The threshold a search applies now: for the workers enrolled and, calibrated, from their centroid pairs.</summary>
    public float CurrentThreshold
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _calibration.Threshold;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>The scores between the enrolled workers' centroids, pair by pair, that calibrate the threshold.</summary>
    public (double Mean, double Spread, long Pairs) WorkerPairScores
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _calibration.PairScores;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>How many times the threshold was calibrated: once per add, remove or batch, never by a search.</summary>
    public long Calibrations => _calibration.Runs;

    /// <summary>The dot-product path searches take (never <see cref="DotProductPath.Auto"/>).</summary>
    public DotProductPath DotProduct { get; }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _rows;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public int WorkerCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _workerIndex.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds a template (stored L2-normalised). Replaces nothing: a duplicate id is an error.</summary>
    public void Add(FaceTemplate template)
    {
        var norm = Check(template);
        _lock.EnterWriteLock();
        try
        {
            AddRow(template, norm);
            Calibrate();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Adds each template as <see cref="Add"/> does, calibrating once at the end; those refused (another embedder, a
    /// wrong length, a zero vector, a duplicate id) are returned with the reason and the others are added.
    /// </summary>
    public IReadOnlyList<(FaceTemplate Template, ArgumentException Problem)> AddRange(IEnumerable<FaceTemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var refused = new List<(FaceTemplate, ArgumentException)>();
        var checkedTemplates = new List<(FaceTemplate Template, float Norm)>();
        foreach (var template in templates)
        {
            try
            {
                checkedTemplates.Add((template, Check(template)));
            }
            catch (ArgumentException problem)
            {
                refused.Add((template, problem));
            }
        }

        _lock.EnterWriteLock();
        try
        {
            foreach (var (template, norm) in checkedTemplates)
            {
                try
                {
                    AddRow(template, norm);
                }
                catch (ArgumentException problem)
                {
                    refused.Add((template, problem));
                }
            }

            Calibrate();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        return refused;
    }

    /// <summary>Removes each template that is in the gallery, calibrating once; returns how many were removed.</summary>
    public int RemoveRange(IEnumerable<Guid> templateIds)
    {
        ArgumentNullException.ThrowIfNull(templateIds);
        _lock.EnterWriteLock();
        try
        {
            var removed = 0;
            foreach (var id in templateIds)
            {
                if (_rowOfTemplate.TryGetValue(id, out var row))
                {
                    RemoveRow(row);
                    removed++;
                }
            }

            Calibrate();
            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Validates a template for this gallery; its embedding's norm.</summary>
    private float Check(FaceTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrWhiteSpace(template.WorkerId, nameof(template));
        if (!string.Equals(template.ModelSha256, ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"template {template.Id} of worker {template.WorkerId} was made by embedder model sha256 {template.ModelSha256}, but this gallery holds model {ModelSha256}: re-enroll the worker with the current model",
                nameof(template));
        }

        var embedding = template.Embedding ?? throw new ArgumentException($"template {template.Id} has no embedding", nameof(template));
        if (embedding.Length != Dimensions)
        {
            throw new ArgumentException($"template {template.Id} has {embedding.Length} dimensions, the gallery expects {Dimensions}", nameof(template));
        }

        var norm = TensorPrimitives.Norm(embedding);
        if (!(norm > 1e-6f) || !float.IsFinite(norm))
        {
            throw new ArgumentException($"template {template.Id} has a zero or non-finite embedding", nameof(template));
        }

        return norm;
    }

    /// <summary>Under the write lock: one checked template into the matrix and its worker's centroid.</summary>
    private void AddRow(FaceTemplate template, float norm)
    {
        if (_rowOfTemplate.ContainsKey(template.Id))
        {
            throw new ArgumentException($"template {template.Id} is already in the gallery", nameof(template));
        }

        EnsureCapacity(_rows + 1);
        var row = _rows++;
        TensorPrimitives.Divide(template.Embedding, norm, _matrix.AsSpan(row * Dimensions, Dimensions));
        _workerOfRow[row] = WorkerSlot(template.WorkerId);
        _templateOfRow[row] = template.Id;
        _templatesPerWorker[_workerOfRow[row]]++;
        _rowOfTemplate[template.Id] = row;
        UpdateCentroid(_workerOfRow[row], _matrix.AsSpan(row * Dimensions, Dimensions));
    }

    /// <summary>Under the write lock, after a change: searches see the change and its threshold together.</summary>
    private void Calibrate() => _calibration.Recalibrate(_centroids, _centroidRows, Dimensions, _workerIndex.Count);

    /// <summary>Removes one template; false when it is not in the gallery.</summary>
    public bool Remove(Guid templateId)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowOfTemplate.TryGetValue(templateId, out var row))
            {
                return false;
            }

            RemoveRow(row);
            Calibrate();
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes every template of a worker; returns how many were removed.</summary>
    public int RemoveWorker(string workerId)
    {
        ArgumentNullException.ThrowIfNull(workerId);
        _lock.EnterWriteLock();
        try
        {
            if (!_workerIndex.TryGetValue(workerId, out var slot))
            {
                return 0;
            }

            var removed = 0;
            for (var row = _rows - 1; row >= 0; row--)
            {
                if (_workerOfRow[row] == slot)
                {
                    // Removing from the end backwards keeps the rows still to visit in place.
                    RemoveRow(row);
                    removed++;
                }
            }

            if (removed > 0)
            {
                Calibrate();
            }

            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Best worker for a probe embedding (normalised here, so any positive scale is fine).</summary>
    public Match Search(ReadOnlySpan<float> probe)
    {
        if (probe.Length != Dimensions)
        {
            throw new ArgumentException($"probe has {probe.Length} dimensions, the gallery expects {Dimensions}", nameof(probe));
        }

        var norm = TensorPrimitives.Norm(probe);
        if (!(norm > 1e-6f) || !float.IsFinite(norm))
        {
            throw new ArgumentException("probe embedding is zero or not finite", nameof(probe));
        }

        _lock.EnterReadLock();
        try
        {
            var threshold = _calibration.Threshold;
            if (_rows == 0)
            {
                return new Match(null, 0f, 0f, null, MatchDecision.Unknown) { Threshold = threshold };
            }

            var (matrix, workerOf, rows) = Options.Templates == TemplateCombination.Centroid
                ? (_centroids, _workerOfCentroid, _centroidRows)
                : (_matrix, _workerOfRow, _rows);
            var (best, bestScore, second, secondScore) = DotProduct switch
            {
                DotProductPath.Vector256 => TopTwo<Dot256>(probe, matrix, workerOf, rows),
                DotProductPath.Vector128 => TopTwo<Dot128>(probe, matrix, workerOf, rows),
                _ => TopTwo<DotAnyLength>(probe, matrix, workerOf, rows),
            };

            bestScore /= norm;
            var margin = second >= 0 ? bestScore - (secondScore / norm) : bestScore;
            var known = bestScore >= threshold && margin >= Options.MinMargin;
            return new Match(
                _workers[best],
                bestScore,
                margin,
                second >= 0 ? _workers[second] : null,
                known ? MatchDecision.Known : MatchDecision.Unknown)
            { Threshold = threshold };
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private static DotProductPath ChoosePath(DotProductPath wanted, int dimensions)
    {
        var fits256 = Vector256.IsHardwareAccelerated && dimensions % Dot256.Step == 0;
        var fits128 = Vector128.IsHardwareAccelerated && dimensions % Dot128.Step == 0;
        return wanted switch
        {
            DotProductPath.Auto => fits256 ? DotProductPath.Vector256 : fits128 ? DotProductPath.Vector128 : DotProductPath.TensorPrimitives,
            DotProductPath.TensorPrimitives => wanted,
            DotProductPath.Vector256 when fits256 => wanted,
            DotProductPath.Vector128 when fits128 => wanted,
            _ => throw new ArgumentOutOfRangeException(
                nameof(wanted),
                wanted,
                $"{wanted} dot products need a CPU that accelerates them and a dimension count they divide ({dimensions} dimensions; accelerated here: Vector128 {Vector128.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated})"),
        };
    }

    /// <summary>
    /// Streaming top-2 over distinct workers: the best row of the best worker, and the best row of any other worker.
    /// No per-search allocation, one pass over the matrix. Generic over the row kernel so the JIT inlines it
    /// into the loop: a TensorPrimitives.Dot call per row spent more on the call and its checks than on 192 floats
    /// (station-edge bench, 100k templates: 4.3 → 2.4 ms median).
    /// </summary>
    private (int Best, float BestScore, int Second, float SecondScore) TopTwo<TDot>(ReadOnlySpan<float> probe, float[] matrix, int[] workerOf, int rows)
        where TDot : struct, IRowDot
    {
        int best = -1, second = -1;
        float bestScore = float.NegativeInfinity, secondScore = float.NegativeInfinity;
        var dims = Dimensions;
        for (var row = 0; row < rows; row++)
        {
            var score = TDot.Dot(matrix.AsSpan(row * dims, dims), probe);
            var worker = workerOf[row];
            if (worker == best)
            {
                if (score > bestScore)
                {
                    bestScore = score;
                }
            }
            else if (score > bestScore)
            {
                (second, secondScore) = (best, bestScore);
                (best, bestScore) = (worker, score);
            }
            else if (score > secondScore)
            {
                (second, secondScore) = (worker, score);
            }
        }

        return (best, bestScore, second, secondScore);
    }

    private interface IRowDot
    {
        /// <summary>row · probe; both have the gallery's dimension count, which the kernel's step divides.</summary>
        static abstract float Dot(ReadOnlySpan<float> row, ReadOnlySpan<float> probe);
    }

    private readonly struct DotAnyLength : IRowDot
    {
        public static float Dot(ReadOnlySpan<float> row, ReadOnlySpan<float> probe) => TensorPrimitives.Dot(row, probe);
    }

    private readonly struct Dot128 : IRowDot
    {
        public const int Step = 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ReadOnlySpan<float> row, ReadOnlySpan<float> probe)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var p = ref MemoryMarshal.GetReference(probe);
            var a0 = Vector128<float>.Zero;
            var a1 = Vector128<float>.Zero;
            for (nuint k = 0; k < (nuint)row.Length; k += Step)
            {
                a0 += Vector128.LoadUnsafe(ref r, k) * Vector128.LoadUnsafe(ref p, k);
                a1 += Vector128.LoadUnsafe(ref r, k + 4) * Vector128.LoadUnsafe(ref p, k + 4);
            }

            return Vector128.Sum(a0 + a1);
        }
    }

    private readonly struct Dot256 : IRowDot
    {
        public const int Step = 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ReadOnlySpan<float> row, ReadOnlySpan<float> probe)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var p = ref MemoryMarshal.GetReference(probe);
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            for (nuint k = 0; k < (nuint)row.Length; k += Step)
            {
                a0 += Vector256.LoadUnsafe(ref r, k) * Vector256.LoadUnsafe(ref p, k);
                a1 += Vector256.LoadUnsafe(ref r, k + 8) * Vector256.LoadUnsafe(ref p, k + 8);
            }

            return Vector256.Sum(a0 + a1);
        }
    }

    private int WorkerSlot(string workerId)
    {
        if (_workerIndex.TryGetValue(workerId, out var slot))
        {
            return slot;
        }

        if (_freeWorkerSlots.Count > 0)
        {
            slot = _freeWorkerSlots[^1];
            _freeWorkerSlots.RemoveAt(_freeWorkerSlots.Count - 1);
            _workers[slot] = workerId;
        }
        else
        {
            slot = _workers.Count;
            _workers.Add(workerId);
            if (slot >= _templatesPerWorker.Length)
            {
                Array.Resize(ref _templatesPerWorker, _templatesPerWorker.Length * 2);
                Array.Resize(ref _centroidOfWorker, _templatesPerWorker.Length);
            }

            _centroidOfWorker[slot] = -1;
        }

        _workerIndex[workerId] = slot;
        return slot;
    }

    private void RemoveRow(int row)
    {
        var slot = _workerOfRow[row];
        _rowOfTemplate.Remove(_templateOfRow[row]);
        var last = --_rows;
        if (row != last)
        {
            // Move the last row into the hole so the matrix stays contiguous.
            _matrix.AsSpan(last * Dimensions, Dimensions).CopyTo(_matrix.AsSpan(row * Dimensions, Dimensions));
            _workerOfRow[row] = _workerOfRow[last];
            _templateOfRow[row] = _templateOfRow[last];
            _rowOfTemplate[_templateOfRow[row]] = row;
        }

        if (--_templatesPerWorker[slot] == 0)
        {
            RemoveCentroid(slot);
            _workerIndex.Remove(_workers[slot]);
            _freeWorkerSlots.Add(slot);
        }
        else
        {
            UpdateCentroid(slot, added: default);
        }
    }

    /// <summary>
    /// A worker's centroid row after a template was added (its sum grows by <paramref name="added"/>) or removed (the sum
    /// is made afresh from the worker's rows, so removals leave no rounding drift).
    /// </summary>
    private void UpdateCentroid(int slot, ReadOnlySpan<float> added)
    {
        var row = _centroidOfWorker[slot];
        if (row < 0)
        {
            row = _centroidRows++;
            if (_centroidRows * Dimensions > _centroids.Length)
            {
                Array.Resize(ref _centroids, _centroids.Length * 2);
                Array.Resize(ref _centroidSums, _centroidSums.Length * 2);
                Array.Resize(ref _workerOfCentroid, _workerOfCentroid.Length * 2);
            }

            _centroidOfWorker[slot] = row;
            _workerOfCentroid[row] = slot;
            _centroidSums.AsSpan(row * Dimensions, Dimensions).Clear();
        }

        var sum = _centroidSums.AsSpan(row * Dimensions, Dimensions);
        if (added.IsEmpty)
        {
            sum.Clear();
            for (var r = 0; r < _rows; r++)
            {
                if (_workerOfRow[r] == slot)
                {
                    TensorPrimitives.Add(sum, _matrix.AsSpan(r * Dimensions, Dimensions), sum);
                }
            }
        }
        else
        {
            TensorPrimitives.Add(sum, added, sum);
        }

        var centroid = _centroids.AsSpan(row * Dimensions, Dimensions);
        sum.CopyTo(centroid);

        // Unit templates that sum to zero would be a face and its exact negative: not a face, keep it unmatched.
        var norm = TensorPrimitives.Norm(centroid);
        if (norm > 1e-6f)
        {
            TensorPrimitives.Divide(centroid, norm, centroid);
        }
    }

    private void RemoveCentroid(int slot)
    {
        var row = _centroidOfWorker[slot];
        var last = --_centroidRows;
        if (row != last)
        {
            _centroids.AsSpan(last * Dimensions, Dimensions).CopyTo(_centroids.AsSpan(row * Dimensions, Dimensions));
            _centroidSums.AsSpan(last * Dimensions, Dimensions).CopyTo(_centroidSums.AsSpan(row * Dimensions, Dimensions));
            _workerOfCentroid[row] = _workerOfCentroid[last];
            _centroidOfWorker[_workerOfCentroid[row]] = row;
        }

        _centroidOfWorker[slot] = -1;
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _workerOfRow.Length)
        {
            return;
        }

        var capacity = Math.Max(rows, _workerOfRow.Length * 2);
        Array.Resize(ref _matrix, capacity * Dimensions);
        Array.Resize(ref _workerOfRow, capacity);
        Array.Resize(ref _templateOfRow, capacity);
    }
}
