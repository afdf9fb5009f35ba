namespace StationEdge.KeeperSite.Text;

/// <summary>Everything the site says, Chinese first. A test checks that each phrase has both languages.</summary>
public static class Texts
{
    // Frame.
    public static readonly Phrase SiteTitle = new("驿站管理", "Station keeper");
    public static readonly Phrase NavToday = new("今日到访", "Today");
    public static readonly Phrase NavEnrol = new("录入", "Enrol");
    public static readonly Phrase NavWorkers = new("工友", "Workers");
    public static readonly Phrase NavDoor = new("门", "Door");
    public static readonly Phrase NavPasses = new("通行码", "Passes");
    public static readonly Phrase NavHealth = new("设备", "Device");
    public static readonly Phrase NavAudit = new("日志", "Log");
    public static readonly Phrase NavKeepers = new("站长账号", "Keepers");
    public static readonly Phrase Logout = new("退出", "Log out");
    public static readonly Phrase OtherLanguage = new("English", "中文");
    public static readonly Phrase Save = new("保存", "Save");
    public static readonly Phrase Cancel = new("取消", "Cancel");
    public static readonly Phrase Back = new("返回", "Back");
    public static readonly Phrase Required = new("必填", "required");
    public static readonly Phrase Forbidden = new("这件事需要管理员来做。", "Only an administrator may do this.");
    public static readonly Phrase NotSaved = new("没有保存：{0}", "Not saved: {0}");

    // Login.
    public static readonly Phrase LoginTitle = new("站长登录", "Keeper login");
    public static readonly Phrase Name = new("姓名", "Name");
    public static readonly Phrase Password = new("密码", "Password");
    public static readonly Phrase LoginButton = new("登录", "Log in");
    public static readonly Phrase LoginFailed = new("姓名或密码不对。", "Wrong name or password.");
    public static readonly Phrase LockedOut = new("登录失败次数过多，请 {0} 分钟后再试。", "Too many failed logins: try again in {0} minutes.");
    public static readonly Phrase RateLimited = new("请求太频繁，请一分钟后再试。", "Too many requests: try again in a minute.");
    public static readonly Phrase TooManyStreams = new("打开的实时页面太多，请关掉一些再试。", "Too many live pages are open: close some and try again.");
    public static readonly Phrase NoKeeperYet = new(
        "还没有站长账号。请在设备上运行：station-edge keeper add --name 姓名",
        "There is no keeper account yet. On the device run: station-edge keeper add --name NAME");

    // Today.
    public static readonly Phrase TodayTitle = new("今日到访", "Today's visits");
    public static readonly Phrase TodayCounts = new("今天 {0} 人次，开门 {1} 次", "{0} visits today, {1} let in");
    public static readonly Phrase Time = new("时间", "Time");
    public static readonly Phrase Who = new("谁", "Who");
    public static readonly Phrase Result = new("结果", "Result");
    public static readonly Phrase Reason = new("原因", "Reason");
    public static readonly Phrase Score = new("相似度", "Score");
    public static readonly Phrase Method = new("方式", "Method");
    public static readonly Phrase Stranger = new("陌生人", "Stranger");
    public static readonly Phrase Visitor = new("访客 {0}", "Guest {0}");
    public static readonly Phrase Granted = new("已开门", "Let in");
    public static readonly Phrase Refused = new("未开门", "Refused");
    public static readonly Phrase MethodFace = new("刷脸", "Face");
    public static readonly Phrase MethodPass = new("通行码", "Pass");
    public static readonly Phrase MethodKeeper = new("站长开门", "Keeper");
    public static readonly Phrase FlagLink = new("这条记录有误", "Was this wrong?");
    public static readonly Phrase Flagged = new("已标记有误", "Flagged");
    public static readonly Phrase NoVisitsYet = new("今天还没有到访记录。", "No visits yet today.");
    public static readonly Phrase Live = new("实时更新", "Live");
    public static readonly Phrase Reconnecting = new("连接中断，正在重连…", "Connection lost, reconnecting…");

    // Flag.
    public static readonly Phrase FlagTitle = new("这条记录有误？", "Was this record wrong?");
    public static readonly Phrase FlagNote = new("说明（可不填）", "Note (optional)");
    public static readonly Phrase FlagNoteHint = new("例如：其实是李四；门没有开", "e.g. it was actually Li Si; the door did not open");
    public static readonly Phrase FlagSubmit = new("提交给县总工会核查", "Send for the county's review");
    public static readonly Phrase FlagDone = new("已标记，县总工会会核查这条记录。", "Flagged: the county union will review this record.");
    public static readonly Phrase VisitNotFound = new("没有这条记录。", "No such visit.");

    // Workers.
    public static readonly Phrase WorkersTitle = new("工友", "Workers");
    public static readonly Phrase Search = new("搜索", "Search");
    public static readonly Phrase SearchHint = new("姓名、手机号或会员号", "Name, phone or member number");
    public static readonly Phrase Phone = new("手机号", "Phone");
    public static readonly Phrase Employer = new("单位/平台", "Employer / platform");
    public static readonly Phrase MemberNumber = new("会员号", "Member no.");
    public static readonly Phrase ValidUntil = new("有效期至", "Valid until");
    public static readonly Phrase Status = new("状态", "Status");
    public static readonly Phrase Active = new("正常", "Active");
    public static readonly Phrase Suspended = new("已暂停", "Suspended");
    public static readonly Phrase Enrolled = new("录入于", "Enrolled");
    public static readonly Phrase Edit = new("编辑", "Edit");
    public static readonly Phrase Suspend = new("暂停", "Suspend");
    public static readonly Phrase Resume = new("恢复", "Resume");
    public static readonly Phrase Delete = new("删除", "Delete");
    public static readonly Phrase AddWorker = new("录入新工友", "Enrol a worker");
    public static readonly Phrase NoWorkers = new("还没有工友。", "No workers yet.");
    public static readonly Phrase NoMatch = new("没有找到“{0}”。", "Nothing found for “{0}”.");
    public static readonly Phrase WorkerSaved = new("已保存 {0}。", "{0} saved.");
    public static readonly Phrase WorkerSuspended = new("已暂停 {0}：门不再为他打开。", "{0} is suspended: the door no longer opens for them.");
    public static readonly Phrase WorkerResumed = new("已恢复 {0}。", "{0} is active again.");
    public static readonly Phrase DeleteTitle = new("删除工友", "Delete a worker");
    public static readonly Phrase DeleteQuestion = new("确定删除 {0}（{1}）吗？", "Delete {0} ({1})?");
    public static readonly Phrase DeleteExplain = new(
        "他的人脸数据（{0} 份）会一起删除，无法恢复。到访记录保留，只留编号。",
        "Their face data ({0} templates) goes with them and cannot be restored. Their visits stay, with the id only.");
    public static readonly Phrase DeleteConfirm = new("确认删除", "Delete");
    public static readonly Phrase Deleted = new("已删除 {0}，人脸数据 {1} 份。", "Deleted {0} and {1} face templates.");
    public static readonly Phrase NoSuchWorker = new("没有这位工友。", "No such worker.");
    public static readonly Phrase EditTitle = new("编辑工友信息", "Edit a worker");
    public static readonly Phrase LearnedTitle = new("门口学到的人脸", "Faces learned at the door");
    public static readonly Phrase LearnedExplain = new(
        "门口认出他、或他刷卡开门时，系统会留下门口拍到的人脸（每天最多一份），让他下次更容易被认出。登记时的人脸不会被替换。",
        "When the door recognised them clearly, or they opened it with their pass, the door's own view of their face is kept (at most one a day) so they are recognised more easily. The enrolment photos are never replaced.");
    public static readonly Phrase LearnedNone = new("还没有学到。", "None yet.");
    public static readonly Phrase LearnedTime = new("时间", "Time");
    public static readonly Phrase LearnedVisit = new("到访记录", "Visit");
    public static readonly Phrase LearnedReason = new("原因", "Reason");
    public static readonly Phrase LearnedClearGrant = new("刷脸通过，把握很大", "a clear face grant");
    public static readonly Phrase LearnedPassConfirmed = new("刷脸未通过，本人随即刷卡开门", "refused by face, then their own pass");
    public static readonly Phrase LearnedRemove = new("删除这份", "Remove");
    public static readonly Phrase LearnedRemoved = new("已删除 {0} 在门口学到的一份人脸。", "Removed one face learned at the door for {0}.");

    // Enrolment.
    public static readonly Phrase EnrolTitle = new("录入工友", "Enrol a worker");
    public static readonly Phrase DoorCamera = new("门口摄像头", "Door camera");
    public static readonly Phrase StepDetails = new("1. 填写信息", "1. Details");
    public static readonly Phrase StepFace = new("2. 拍脸或上传照片", "2. Camera or photos");
    public static readonly Phrase ConsentTitle = new("个人信息告知与同意", "Notice and consent");
    public static readonly Phrase ConsentAgree = new("工友已阅读并同意以上内容", "The worker has read and agrees to the above");
    public static readonly Phrase ScopeTitle = new("在哪里可以刷脸进门", "Where the face opens the door");
    public static readonly Phrase ScopeStation = new("仅本驿站", "This station only");
    public static readonly Phrase ScopeCounty = new("本县所有驿站（漫游）", "Every station of the county (roaming)");
    public static readonly Phrase ScopeExplain = new(
        "仅本驿站：人脸特征只保存在本驿站，不会发出。本县所有驿站：工友同意后，人脸特征加密后经县工会服务器发给本县各驿站，在任何一个驿站都能刷脸进门；改回“仅本驿站”后，其他驿站会删除。",
        "This station only: the face templates stay at this station and are never sent. Every station of the county: with the worker's agreement, the templates are sent encrypted through the county union's server to every station of the county, so the worker's face opens any of them; set back to this station only, the other stations delete them.");
    public static readonly Phrase ConsentRequired = new("请先勾选同意。", "Please tick the consent box first.");
    public static readonly Phrase TakeWithCamera = new("用摄像头拍 {0} 张", "Take {0} with the camera");
    public static readonly Phrase OrUpload = new("或者上传照片（可用手机拍）", "Or upload photos (a phone photo will do)");
    public static readonly Phrase EnrolFromPhotos = new("用照片录入", "Enrol from photos");
    public static readonly Phrase Capturing = new("正在拍摄，请工友看镜头…", "Taking photos: please look at the camera…");
    public static readonly Phrase EnrolDone = new("已录入 {0}", "{0} is enrolled");
    public static readonly Phrase EnrolDoneDetail = new("保存了 {0} 份人脸数据。现在刷脸就能进门。", "{0} face templates stored: the door now opens for them.");
    public static readonly Phrase EnrolNext = new("录入下一位", "Enrol the next one");
    public static readonly Phrase ChooseFace = new("照片里有 {0} 张脸，请点选要录入的那一张：", "The photo shows {0} faces: choose the one to enrol:");
    public static readonly Phrase UseThisFace = new("就是这张", "This one");
    public static readonly Phrase DuplicateWarn = new("这张脸很像已登记的 {0}（{1}），相似度 {2}。", "This face looks like {0} ({1}), already enrolled: score {2}.");
    public static readonly Phrase DuplicateConfirm = new("我确认这是另一个人", "I confirm this is another person");
    public static readonly Phrase EnrolAnyway = new("仍然录入", "Enrol anyway");
    public static readonly Phrase NoFaceInPhoto = new("照片 {0} 里没有找到人脸。", "No face found in photo {0}.");
    public static readonly Phrase PhotoUnusable = new("照片 {0} 不能用：{1}", "Photo {0} cannot be used: {1}");
    public static readonly Phrase PhotoTooLarge = new("照片 {0} 太大（最大 {1} MB）。", "Photo {0} is too large (at most {1} MB).");
    public static readonly Phrase PhotoTooManyPixels = new("照片 {0} 像素太多（最多 {1} 百万像素）。", "Photo {0} has too many pixels (at most {1} megapixels).");
    public static readonly Phrase PhotoWrongFormat = new("照片 {0} 不是 JPEG、PNG 或 WebP 图片。", "Photo {0} is not a JPEG, PNG or WebP image.");
    public static readonly Phrase TooManyPhotos = new("最多 {0} 张照片。", "At most {0} photos.");
    public static readonly Phrase NoPhotos = new("请选择照片，或者用摄像头拍。", "Choose photos, or use the camera.");
    public static readonly Phrase CaptureTimeout = new("{0} 秒内没有拍到合格的画面：{1}", "No good frame within {0} s: {1}");
    public static readonly Phrase DraftGone = new("这次录入已过期，请重新开始。", "This enrolment has expired: please start again.");
    public static readonly Phrase NameRequired = new("请填写姓名。", "Please enter the name.");
    public static readonly Phrase FaceUnusable = new("这张脸不能用：{0}", "This face cannot be used: {0}");

    // Guidance in front of the camera.
    public static readonly Phrase GuideCloser = new("请靠近一点", "Please come closer");
    public static readonly Phrase GuideFaceCamera = new("请正对镜头", "Please face the camera");
    public static readonly Phrase GuideDark = new("光线太暗", "Too dark: more light, please");
    public static readonly Phrase GuideBright = new("光线太亮", "Too bright");
    public static readonly Phrase GuideStill = new("请站稳，不要晃动", "Please hold still");
    public static readonly Phrase GuideOnePerson = new("请一个人站在镜头前", "One person at a time, please");
    public static readonly Phrase GuideGood = new("很好，请保持", "Good: hold still");
    public static readonly Phrase GuideNoCamera = new("摄像头没有画面", "The camera shows nothing");

    // Door screen.
    public static readonly Phrase Welcome = new("欢迎回家，{0}", "Welcome home, {0}");
    public static readonly Phrase WelcomeGuest = new("欢迎，{0}", "Welcome, {0}");
    public static readonly Phrase WelcomeHome = new("嗨！欢迎回家！", "Hi! Welcome home!");
    public static readonly Phrase PlainHttpBanner = new("本站在局域网上用未加密的 http 提供：同一 Wi-Fi 上的人可能看到密码。请改用 https（station-edge keeper cert）。",
        "This site is served over plain http on the LAN: others on the same Wi-Fi may see passwords. Switch to https (station-edge keeper cert).");
    public static readonly Phrase ScreensTitle = new("门口屏幕", "Door screens");
    public static readonly Phrase ScreensIntro = new("门口屏幕显示摄像头画面和来访者的称呼。除本机屏幕外，其他设备要先配对。", "The door screen shows the camera and who came in. Any device but the Pi's own display must be paired first.");
    public static readonly Phrase PairScreen = new("配对一个屏幕", "Pair a screen");
    public static readonly Phrase PairingCodeIs = new("在屏幕上打开 /screen/pair，输入配对码 {0}（{1} 分钟内有效，只能用一次）", "On the screen, open /screen/pair and type the code {0} (valid {1} minutes, once)");
    public static readonly Phrase Never = new("从未", "never");
    public static readonly Phrase NoScreens = new("还没有配对的屏幕", "No screen is paired yet");
    public static readonly Phrase ScreenPairedBy = new("{0} 配对于 {1}，最后使用 {2}", "paired by {0} on {1}, last used {2}");
    public static readonly Phrase Revoke = new("取消配对", "Revoke");
    public static readonly Phrase ScreenRevoked = new("已取消该屏幕的配对", "The screen is no longer paired");
    public static readonly Phrase ThisIsTheDoorScreen = new("这是门口屏幕？输入站长给的配对码", "Is this the door screen? Type the code the keeper gives you");
    public static readonly Phrase PairTitle = new("配对门口屏幕", "Pair this door screen");
    public static readonly Phrase PairCode = new("配对码（站长在“门”页面上取得）", "Pairing code (the keeper gets it on the Door page)");
    public static readonly Phrase ScreenLabel = new("屏幕名称", "Screen name");
    public static readonly Phrase PairButton = new("配对", "Pair");
    public static readonly Phrase PairWrong = new("配对码不对或已过期，请让站长重新生成", "The code is wrong or has expired: ask the keeper for a new one");
    public static readonly Phrase SiteAddresses = new("访问地址", "Addresses");
    public static readonly Phrase Encrypted = new("加密（https）", "encrypted (https)");
    public static readonly Phrase NotEncrypted = new("未加密（http）", "not encrypted (http)");
    public static readonly Phrase OnlyThisDevice = new("仅本机", "this device only");
    public static readonly Phrase WholeLan = new("局域网可访问", "reachable on the LAN");
    public static readonly Phrase NotRecognised = new("未识别，请联系站长", "Not recognised: please ask the keeper");
    public static readonly Phrase ScreenIdle = new("请看镜头", "Please look at the camera");

    // Door.
    public static readonly Phrase DoorTitle = new("门", "Door");
    public static readonly Phrase Locked = new("已上锁", "Locked");
    public static readonly Phrase Unlocked = new("已开锁", "Unlocked");
    public static readonly Phrase DoorClosed = new("门关着", "Closed");
    public static readonly Phrase DoorIsOpen = new("门开着", "Open");
    public static readonly Phrase DoorNotRunning = new("门的服务没有运行", "The door service is not running");
    public static readonly Phrase OpenDoor = new("手动开门", "Open the door");
    public static readonly Phrase OpenReason = new("开门原因", "Reason");
    public static readonly Phrase OpenReasonHint = new("例如：刷脸不成功、访客、送货", "e.g. face failed, a guest, a delivery");
    public static readonly Phrase ReasonRequired = new("请写明开门原因。", "Please give a reason.");
    public static readonly Phrase DoorOpened = new("门已打开。", "The door is open.");
    public static readonly Phrase DoorDidNotOpen = new("门没有打开（刚到开锁上限或门控故障），请稍后再试。", "The door did not open (unlock cap or door fault): try again shortly.");
    public static readonly Phrase Alarms = new("报警", "Alarms");
    public static readonly Phrase NoAlarms = new("没有报警", "No alarms");
    public static readonly Phrase AlarmForcedOpen = new("门被强行打开", "Door forced open");
    public static readonly Phrase AlarmHeldOpen = new("门开着太久", "Door held open");
    public static readonly Phrase AlarmRelayStuck = new("继电器异常", "Relay stuck");
    public static readonly Phrase AlarmFault = new("门控故障", "Door controller fault");
    public static readonly Phrase SecurityTitle = new("安全等级", "Security level");
    public static readonly Phrase SecurityLevelIs = new("本站的安全等级：{0}（陌生人最多放进 {1}；Access:StrangerRate）", "This station's level: {0} (at most {1} of strangers let in; Access:StrangerRate)");
    public static readonly Phrase SecurityFixed = new("本站用固定阈值 {0}（Access:Threshold），不按安全等级校准（fixed threshold）", "This station uses a fixed threshold {0} (Access:Threshold), not a security level");
    public static readonly Phrase SecurityNow = new("门现在用的阈值：{0}（已登记 {1} 位工友）", "The threshold the door applies now: {0} ({1} workers enrolled)");
    public static readonly Phrase SecurityLevel = new("等级", "Level");
    public static readonly Phrase SecurityRate = new("陌生人放进率", "Strangers let in");
    public static readonly Phrase SecurityThreshold = new("本站阈值", "Threshold here");
    public static readonly Phrase SecurityCost = new("本站记录中会被拒的", "Refused on this station's record");
    public static readonly Phrase SecurityCurrent = new("（现用）", " (in use)");
    public static readonly Phrase SecurityWouldRefuse = new("这些刷脸中有 {0} / {1} 次会被拒", "{0} of {1} of these walk-ups would have been refused");
    public static readonly Phrase SecurityEvidence = new(
        "依据：本站确认是本人的 {0} 次刷脸——{1} 次是门口学到人脸的那次到访，{2} 次是刷脸未通过、本人在一分钟内刷卡开门。",
        "On this station's evidence: {0} walk-ups known to be the rider — {1} the visits the door learned faces from, {2} face refusals the same rider's pass opened within a minute.");
    public static readonly Phrase SecurityTooLittle = new(
        "本站的证据还太少（确认是本人的刷脸只有 {0} 次，至少要 {1} 次），暂不能算出各等级会拒多少人。",
        "Too little evidence yet ({0} walk-ups known to be the rider, at least {1} needed) to say what each level would refuse here.");
    public static readonly Phrase SecurityDevSet = new(
        "开发数据集上（东亚照片 / faces-dev，每人一张照片登记）：严格拒 79.0% / 56.3%，标准拒 60.0% / 6.3%，便利拒 40.0% / 6.3%（东亚照片上放进 117 个陌生人中的 3 个）。",
        "On the development sets (East Asian / faces-dev, one photo enrolled): strict refuses 79.0% / 56.3%, standard 60.0% / 6.3%, convenient 40.0% / 6.3% (and let in 3 of 117 East Asian strangers).");
    public static readonly Phrase SecurityNoModels = new("人脸模型没有加载，算不出阈值：{0}", "The face models are not loaded, so no threshold can be shown: {0}");
    public static readonly Phrase DoorEvents = new("门的事件（本次启动以来）", "Door events (since the daemon started)");
    public static readonly Phrase EventAlarmRaised = new("报警：{0}", "Alarm: {0}");
    public static readonly Phrase EventAlarmCleared = new("报警解除：{0}", "Alarm cleared: {0}");
    public static readonly Phrase EventGranted = new("开门：{0}", "Let in: {0}");
    public static readonly Phrase EventGrantRefused = new("拒绝开门：{0}", "Grant refused: {0}");
    public static readonly Phrase EventOpened = new("门被打开", "Door opened");
    public static readonly Phrase EventClosed = new("门关上了", "Door closed");
    public static readonly Phrase EventRelocked = new("重新上锁", "Relocked");

    // Passes.
    public static readonly Phrase PassesTitle = new("通行码", "Passes");
    public static readonly Phrase PassesExplain = new(
        "刷脸不行的时候（头盔、口罩、夜里、雨天），给工友或访客发一个通行码：打印出来或发到手机上，对着门口摄像头出示就能进门。",
        "When the face is not enough (a helmet, a mask, night, rain), give a worker or a guest a pass: print it or send it to their phone, and they show it to the door camera.");
    public static readonly Phrase WorkerPass = new("工友通行码", "Worker pass");
    public static readonly Phrase VisitorPass = new("访客通行码", "Guest pass");
    public static readonly Phrase WorkerId = new("工友编号", "Worker id");
    public static readonly Phrase VisitorName = new("访客姓名", "Guest's name");
    public static readonly Phrase ValidFor = new("有效时长", "Valid for");
    public static readonly Phrase Hours = new("{0} 小时", "{0} hours");
    public static readonly Phrase Days = new("{0} 天", "{0} days");
    public static readonly Phrase IssuePass = new("生成通行码", "Issue a pass");
    public static readonly Phrase ActivePasses = new("有效的通行码", "Active passes");
    public static readonly Phrase PastPasses = new("已过期或已作废", "Expired or revoked");
    public static readonly Phrase NoActivePasses = new("没有有效的通行码。", "No active passes.");
    public static readonly Phrase ShowPass = new("显示", "Show");
    public static readonly Phrase RevokePass = new("作废", "Revoke");
    public static readonly Phrase PassRevokedLabel = new("已作废", "Revoked");
    public static readonly Phrase PassExpiredLabel = new("已过期", "Expired");
    public static readonly Phrase PassValidUntil = new("有效期至 {0}", "Valid until {0}");
    public static readonly Phrase Print = new("打印", "Print");
    public static readonly Phrase SaveImage = new("保存图片（发到手机）", "Save the image (to send to a phone)");
    public static readonly Phrase PassFor = new("{0} 的通行码", "Pass for {0}");
    public static readonly Phrase PassHowTo = new("进门时对着门口摄像头出示这个二维码。", "Show this code to the door camera to come in.");
    public static readonly Phrase NoWorkerWithId = new("没有编号为 {0} 的工友。", "No worker with id {0}.");
    public static readonly Phrase PassRevoked = new("通行码已作废。", "The pass is revoked.");
    public static readonly Phrase PassNameInvalid = new("访客姓名要 1 到 {0} 个字。", "A guest's name has 1 to {0} characters.");

    // Device health.
    public static readonly Phrase HealthTitle = new("设备状态", "Device health");
    public static readonly Phrase Camera = new("摄像头", "Camera");
    public static readonly Phrase FrameRate = new("帧率", "Frame rate");
    public static readonly Phrase LastFrame = new("最后一帧", "Last frame");
    public static readonly Phrase SecondsAgo = new("{0} 秒前", "{0} s ago");
    public static readonly Phrase Models = new("模型（sha256）", "Models (sha256)");
    public static readonly Phrase Outbox = new("待同步消息", "Messages waiting to sync");
    public static readonly Phrase LastSync = new("上次同步", "Last sync");
    public static readonly Phrase NotYet = new("尚无（同步功能还没有启用）", "None yet (sync is not running)");
    public static readonly Phrase Disk = new("存储空间", "Disk space");
    public static readonly Phrase DiskFree = new("可用 {0} / 共 {1}", "{0} free of {1}");
    public static readonly Phrase Uptime = new("已运行", "Uptime");
    public static readonly Phrase Version = new("软件版本", "Software version");
    public static readonly Phrase DataFolder = new("数据目录", "Data folder");
    public static readonly Phrase WorkerCount = new("工友人数", "Workers");
    public static readonly Phrase CameraRunning = new("正常", "Running");
    public static readonly Phrase CameraStarting = new("启动中", "Starting");
    public static readonly Phrase CameraLost = new("画面中断，正在重连", "Lost, reconnecting");
    public static readonly Phrase CameraEnded = new("视频已播完", "Source ended");
    public static readonly Phrase CameraStopped = new("已停止", "Stopped");

    // Audit.
    public static readonly Phrase AuditTitle = new("操作日志", "Keeper log");
    public static readonly Phrase Keeper = new("站长", "Keeper");
    public static readonly Phrase Action = new("操作", "Action");
    public static readonly Phrase Target = new("对象", "Target");
    public static readonly Phrase Details = new("详情", "Details");
    public static readonly Phrase Address = new("来自", "From");

    // Keepers.
    public static readonly Phrase KeepersTitle = new("站长账号", "Keeper accounts");
    public static readonly Phrase Role = new("角色", "Role");
    public static readonly Phrase RoleKeeper = new("站长", "Keeper");
    public static readonly Phrase RoleAdmin = new("管理员", "Administrator");
    public static readonly Phrase AddKeeper = new("添加站长", "Add a keeper");
    public static readonly Phrase PasswordAgain = new("再输一次密码", "Password again");
    public static readonly Phrase ResetPassword = new("重设密码", "Reset password");
    public static readonly Phrase RemoveKeeper = new("删除账号", "Remove");
    public static readonly Phrase KeeperAdded = new("已添加 {0}。", "{0} added.");
    public static readonly Phrase KeeperRemoved = new("已删除 {0}。", "{0} removed.");
    public static readonly Phrase PasswordWasReset = new("已为 {0} 重设密码。", "Password reset for {0}.");
    public static readonly Phrase CannotRemoveSelf = new("不能删除自己的账号。", "You cannot remove your own account.");
    public static readonly Phrase Created = new("创建于", "Created");
}
