<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddFieldDialog</name>
    <message>
        <source>Add field</source>
        <translation>添加字段</translation>
    </message>
    <message>
        <source>Whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>日期时间</translation>
    </message>
    <message>
        <source>Yes/no</source>
        <translation>是/否</translation>
    </message>
    <message>
        <source>Value list</source>
        <translation>取值列表</translation>
    </message>
    <message>
        <source>values separated by commas</source>
        <translation>多个取值用逗号分隔</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Values:</source>
        <translation>取值：</translation>
    </message>
    <message>
        <source>Default:</source>
        <translation>默认值：</translation>
    </message>
</context>
<context>
    <name>AnalysisError</name>
    <message>
        <source>{scene}: no layer could be read</source>
        <translation>{scene}：没有可读取的图层</translation>
    </message>
    <message>
        <source>the scene has no layer {name}</source>
        <translation>场景中没有图层 {name}</translation>
    </message>
    <message>
        <source>points must be X,Y,Z;X,Y,Z (got {text})</source>
        <translation>点的格式应为 X,Y,Z;X,Y,Z（收到 {text}）</translation>
    </message>
    <message>
        <source>nothing to save</source>
        <translation>没有可保存的结果</translation>
    </message>
    <message>
        <source>layer {layer} is not in a GeoPackage store: import it first</source>
        <translation>图层 {layer} 不在 GeoPackage 数据库中：请先导入</translation>
    </message>
    <message>
        <source>{text} is not a date (YYYY-MM-DD)</source>
        <translation>{text} 不是日期（YYYY-MM-DD）</translation>
    </message>
    <message>
        <source>--plane needs three points</source>
        <translation>--plane 需要三个点</translation>
    </message>
    <message>
        <source>--polygon is not WKT</source>
        <translation>--polygon 不是 WKT</translation>
    </message>
    <message>
        <source>give --polygon and --height, or --plane</source>
        <translation>请给出 --polygon 和 --height，或 --plane</translation>
    </message>
    <message>
        <source>height needs --object LAYER:OID</source>
        <translation>高度测量需要 --object 图层:OID</translation>
    </message>
    <message>
        <source>layer {layer} has no object {oid}</source>
        <translation>图层 {layer} 没有对象 {oid}</translation>
    </message>
    <message>
        <source>a distance needs two points</source>
        <translation>距离需要两个点</translation>
    </message>
    <message>
        <source>layer {layer} has no heading field {field}</source>
        <translation>图层 {layer} 没有朝向字段 {field}</translation>
    </message>
    <message>
        <source>layer {layer} has no points</source>
        <translation>图层 {layer} 没有点</translation>
    </message>
    <message>
        <source>coverage analysis cancelled</source>
        <translation>覆盖分析已取消</translation>
    </message>
    <message>
        <source>a vertical plane limits no height</source>
        <translation>竖直平面不能限定高度</translation>
    </message>
    <message>
        <source>the control surface has no polygon and no plane</source>
        <translation>控制面既没有多边形也没有平面</translation>
    </message>
    <message>
        <source>a line needs at least two points</source>
        <translation>线至少需要两个点</translation>
    </message>
    <message>
        <source>an area needs at least three points</source>
        <translation>面积至少需要三个点</translation>
    </message>
    <message>
        <source>the object has no geometry</source>
        <translation>该对象没有几何</translation>
    </message>
    <message>
        <source>the time window is empty</source>
        <translation>时间段为空</translation>
    </message>
    <message>
        <source>unknown solar term {term}</source>
        <translation>未知的节气 {term}</translation>
    </message>
    <message>
        <source>sunlight analysis cancelled</source>
        <translation>日照分析已取消</translation>
    </message>
    <message>
        <source>unknown sunlight preset {key}</source>
        <translation>未知的日照标准 {key}</translation>
    </message>
    <message>
        <source>the scene has no CRS: give the latitude and longitude</source>
        <translation>场景没有坐标参考系：请给出纬度和经度</translation>
    </message>
    <message>
        <source>{text} is not a time of day (HH:MM)</source>
        <translation>{text} 不是时刻（HH:MM）</translation>
    </message>
    <message>
        <source>shadow animation cancelled</source>
        <translation>阴影动画已取消</translation>
    </message>
    <message>
        <source>the scene is empty</source>
        <translation>场景是空的</translation>
    </message>
</context>
<context>
    <name>AnalysisLayer</name>
    <message>
        <source>Camera coverage</source>
        <translation>视频监控覆盖</translation>
    </message>
    <message>
        <source>Roads no camera sees</source>
        <translation>监控盲区道路</translation>
    </message>
    <message>
        <source>Shadows</source>
        <translation>阴影</translation>
    </message>
</context>
<context>
    <name>AnalysisTools</name>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>统计汇总</translation>
    </message>
    <message>
        <source>Selection</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>Rectangle select</source>
        <translation>框选</translation>
    </message>
    <message>
        <source>Drag a rectangle in the 3D view: select the objects whose centre lies in it on the ground</source>
        <translation>在三维视图中拖出矩形：选中地面投影中心落在矩形内的对象</translation>
    </message>
    <message>
        <source>Polygon select</source>
        <translation>多边形选择</translation>
    </message>
    <message>
        <source>Click the corners of an area on the ground, then press Enter: select the objects that lie wholly inside it</source>
        <translation>在地面上依次点击区域的各个角点，然后按回车：选中完全位于区域内的对象</translation>
    </message>
    <message>
        <source>Finish polygon</source>
        <translation>完成多边形</translation>
    </message>
    <message>
        <source>Select inside</source>
        <translation>选择区域内对象</translation>
    </message>
    <message>
        <source>Click an area (a compound): select it and everything inside it</source>
        <translation>点击一个区域（如小区）：选中该区域及其内部所有对象</translation>
    </message>
    <message>
        <source>Within distance…</source>
        <translation>按距离选择…</translation>
    </message>
    <message>
        <source>Select everything within N metres of the selected objects</source>
        <translation>选择距所选对象 N 米以内的所有对象</translation>
    </message>
    <message>
        <source>Layer &amp;style…</source>
        <translation>图层样式(&amp;S)…</translation>
    </message>
    <message>
        <source>Click the corners of the area, then press Enter</source>
        <translation>依次点击区域的角点，然后按回车</translation>
    </message>
    <message>
        <source>A polygon needs three corners</source>
        <translation>多边形至少需要三个角点</translation>
    </message>
    <message>
        <source>Draw the rectangle on the ground</source>
        <translation>请在地面上拖出矩形</translation>
    </message>
    <message>
        <source>Select some objects first.</source>
        <translation>请先选择对象。</translation>
    </message>
    <message>
        <source>Within distance</source>
        <translation>按距离选择</translation>
    </message>
    <message>
        <source>Metres:</source>
        <translation>距离（米）：</translation>
    </message>
    <message>
        <source>The style was applied but not saved: {error}</source>
        <translation>样式已应用但未保存：{error}</translation>
    </message>
    <message>
        <source>Style saved in {file}</source>
        <translation>样式已保存到 {file}</translation>
    </message>
    <message>
        <source>Save filter</source>
        <translation>保存筛选条件</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>The filter was kept for this session but not saved: {error}</source>
        <translation>筛选条件已在本次会话中保留，但未能保存：{error}</translation>
    </message>
    <message>
        <source>Filter “{name}” saved</source>
        <translation>筛选条件“{name}”已保存</translation>
    </message>
</context>
<context>
    <name>AttributeTable</name>
    <message>
        <source>Search all fields…</source>
        <translation>在所有字段中搜索…</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>图层：</translation>
    </message>
    <message>
        <source>Set field for selection…</source>
        <translation>批量设置所选对象字段…</translation>
    </message>
    <message>
        <source>Add field…</source>
        <translation>添加字段…</translation>
    </message>
    <message>
        <source>Rename field {f}…</source>
        <translation>重命名字段 {f}…</translation>
    </message>
    <message>
        <source>Delete field {f}…</source>
        <translation>删除字段 {f}…</translation>
    </message>
    <message>
        <source>{shown} of {n} objects</source>
        <translation>显示 {shown} / 共 {n} 个对象</translation>
    </message>
    <message>
        <source>{n} objects</source>
        <translation>{n} 个对象</translation>
    </message>
</context>
<context>
    <name>BookmarksPanel</name>
    <message>
        <source>Save the current view as a bookmark</source>
        <translation>将当前视角保存为书签</translation>
    </message>
    <message>
        <source>Delete the bookmark</source>
        <translation>删除书签</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>View {n}</source>
        <translation>视角 {n}</translation>
    </message>
    <message>
        <source>New bookmark</source>
        <translation>新建书签</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
</context>
<context>
    <name>BrokerError</name>
    <message>
        <source>broker {url!r} must start with mqtt:// or mqtts://</source>
        <translation>代理地址 {url!r} 必须以 mqtt:// 或 mqtts:// 开头</translation>
    </message>
    <message>
        <source>broker URL holds a password: give it in the environment variable {env} instead</source>
        <translation>代理地址中含有密码：请改用环境变量 {env} 提供</translation>
    </message>
    <message>
        <source>broker {url!r} names no host</source>
        <translation>代理地址 {url!r} 没有主机名</translation>
    </message>
    <message>
        <source>broker {url!r} has a bad port</source>
        <translation>代理地址 {url!r} 的端口无效</translation>
    </message>
</context>
<context>
    <name>CalendarDialog</name>
    <message>
        <source>Working calendar</source>
        <translation>工作日历</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Working days</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>Office hours</source>
        <translation>办公时间</translation>
    </message>
    <message>
        <source>Add holiday (休息)</source>
        <translation>添加休息日（休息）</translation>
    </message>
    <message>
        <source>Add make-up working day (上班)</source>
        <translation>添加调休上班日（上班）</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Holidays and make-up working days</source>
        <translation>节假日与调休上班日</translation>
    </message>
    <message>
        <source>holiday (休息)</source>
        <translation>休息</translation>
    </message>
    <message>
        <source>make-up working day (上班)</source>
        <translation>调休上班</translation>
    </message>
    <message>
        <source>{day} added: {kind}</source>
        <translation>已添加 {day}：{kind}</translation>
    </message>
</context>
<context>
    <name>CalendarError</name>
    <message>
        <source>{value!r} is not a time such as 09:00</source>
        <translation>{value!r} 不是 09:00 这样的时间</translation>
    </message>
    <message>
        <source>{value!r} is not a time of day</source>
        <translation>{value!r} 不是一天中的时间</translation>
    </message>
    <message>
        <source>the working day ends ({end}) before it starts ({start})</source>
        <translation>工作日结束时间（{end}）早于开始时间（{start}）</translation>
    </message>
    <message>
        <source>working weekdays must be some of 0 (Monday) to 6</source>
        <translation>工作日须为 0（星期一）到 6 中的若干天</translation>
    </message>
    <message>
        <source>a calendar day is 休息 or 上班, not {kind!r}</source>
        <translation>日历中的日期只能是 休息 或 上班，而不是 {kind!r}</translation>
    </message>
    <message>
        <source>time limit unit {unit!r} is not 工作时, 工作日 or 自然日</source>
        <translation>时限单位 {unit!r} 不是 工作时、工作日 或 自然日</translation>
    </message>
    <message>
        <source>{value!r} is not a date such as 2026-10-01</source>
        <translation>{value!r} 不是 2026-10-01 这样的日期</translation>
    </message>
</context>
<context>
    <name>CaseError</name>
    <message>
        <source>time limit of {sub!r}: unit {unit!r} is not 工作时, 工作日 or 自然日</source>
        <extracomment>Event kinds besides a plain transition; their ``to_state`` is the case&apos;s state. Roles: a viewer reads; an operator (受理员/派遣员) files, registers and dispatches; a unit (责任单位) handles and reports back; a checker (核查员) checks, closes and approves extensions. ``admin`` may do everything. ``from -&gt; {to: roles allowed}``. Transitions that need a written note (the reason).</extracomment>
        <translation>{sub!r} 的时限：单位 {unit!r} 不是 工作时、工作日 或 自然日</translation>
    </message>
    <message>
        <source>time limit of {sub!r} must be positive</source>
        <translation>{sub!r} 的时限必须大于零</translation>
    </message>
    <message>
        <source>{state!r} is not a case state</source>
        <translation>{state!r} 不是案件状态</translation>
    </message>
    <message>
        <source>a case in {src} cannot go to {dst}</source>
        <translation>处于{src}的案件不能转到{dst}</translation>
    </message>
    <message>
        <source>role {role!r} may not move a case from {src} to {dst}</source>
        <translation>角色 {role!r} 不能把案件从{src}转到{dst}</translation>
    </message>
    <message>
        <source>{dst} needs a written reason (--note)</source>
        <translation>{dst}需要书面理由（--note）</translation>
    </message>
    <message>
        <source>role &apos;viewer&apos; may not file a case</source>
        <translation>角色 &apos;viewer&apos; 不能上报案件</translation>
    </message>
    <message>
        <source>case {cid} exists already</source>
        <translation>案件 {cid} 已存在</translation>
    </message>
    <message>
        <source>level {level!r} is not 一般 or 重大</source>
        <translation>等级 {level!r} 不是 一般 或 重大</translation>
    </message>
    <message>
        <source>no case {cid}</source>
        <translation>没有案件 {cid}</translation>
    </message>
    <message>
        <source>延期 needs a written reason (--note)</source>
        <translation>延期需要书面理由（--note）</translation>
    </message>
    <message>
        <source>case {cid} has no pending extension request</source>
        <translation>案件 {cid} 没有待审批的延期申请</translation>
    </message>
    <message>
        <source>role &apos;viewer&apos; may not change a case</source>
        <translation>角色 &apos;viewer&apos; 不能修改案件</translation>
    </message>
    <message>
        <source>case {cid} is {state} already</source>
        <translation>案件 {cid} 已{state}</translation>
    </message>
    <message>
        <source>role {role!r} may not do this</source>
        <translation>角色 {role!r} 无权执行此操作</translation>
    </message>
</context>
<context>
    <name>CasesDock</name>
    <message>
        <source>Cases &amp;&amp; Alerts</source>
        <translation>案件与告警</translation>
    </message>
    <message>
        <source>Filter alerts…</source>
        <translation>筛选告警…</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Open a case (转立案)</source>
        <translation>转立案</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Filter cases…</source>
        <translation>筛选案件…</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>未结案件</translation>
    </message>
    <message>
        <source>All cases</source>
        <translation>全部案件</translation>
    </message>
    <message>
        <source>Note or reason</source>
        <translation>备注或理由</translation>
    </message>
    <message>
        <source>Transition</source>
        <translation>流转</translation>
    </message>
    <message>
        <source>To</source>
        <translation>转到</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>责任人</source>
        <translation>责任人</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>指派</translation>
    </message>
    <message>
        <source>Request extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Approve extension</source>
        <translation>批准延期</translation>
    </message>
    <message>
        <source>Attach photo…</source>
        <translation>附加照片…</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <source>Excel…</source>
        <translation>Excel…</translation>
    </message>
    <message>
        <source>PDF…</source>
        <translation>PDF…</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>统计看板</translation>
    </message>
    <message>
        <source>Add row</source>
        <translation>添加行</translation>
    </message>
    <message>
        <source>Save time limits</source>
        <translation>保存时限</translation>
    </message>
    <message>
        <source>Working calendar…</source>
        <translation>工作日历…</translation>
    </message>
    <message>
        <source>Time limits</source>
        <translation>时限表</translation>
    </message>
    <message>
        <source>{state}: {n} messages, {bad} refused</source>
        <translation>{state}：{n} 条消息，拒收 {bad} 条</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>截止时间</translation>
    </message>
    <message>
        <source>Compound</source>
        <translation>小区</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>firing</source>
        <translation>告警中</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>inhibited</source>
        <translation>已抑制</translation>
    </message>
    <message>
        <source>Case {cid} opened</source>
        <translation>已立案 {cid}</translation>
    </message>
    <message>
        <source>{cid}: done</source>
        <translation>{cid}：已完成</translation>
    </message>
    <message>
        <source>Attach photo</source>
        <translation>附加照片</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png);;All (*)</source>
        <translation>图片 (*.jpg *.jpeg *.png);;所有文件 (*)</translation>
    </message>
    <message>
        <source>row {row}: 时限 {value!r} is not a number</source>
        <translation>第 {row} 行：时限 {value!r} 不是数字</translation>
    </message>
    <message>
        <source>{n} time limits saved</source>
        <translation>已保存 {n} 条时限</translation>
    </message>
    <message>
        <source>Working calendar saved; deadlines recounted</source>
        <translation>工作日历已保存，办理期限已重新计算</translation>
    </message>
    <message>
        <source>No cases</source>
        <translation>没有案件</translation>
    </message>
    <message>
        <source>Closed {closed} · on time {on_time} · rework {rework} · extended {ext}</source>
        <translation>结案率 {closed} · 按期结案率 {on_time} · 返工率 {rework} · 延期率 {ext}</translation>
    </message>
    <message>
        <source>cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export Excel</source>
        <translation>导出 Excel</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>导出 PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <source>Edits in conflict</source>
        <translation>编辑冲突</translation>
    </message>
    <message>
        <source>Someone else saved changes to the same fields of the same objects since you read them. Nothing was saved. Choose for each field which value to keep, then save again.</source>
        <translation>在您读取之后，其他人已保存了对相同对象相同字段的修改。本次未保存任何内容。请为每个字段选择要保留的值，然后再次保存。</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>When you read it</source>
        <translation>您读取时的值</translation>
    </message>
    <message>
        <source>Theirs (saved)</source>
        <translation>对方的值（已保存）</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我的值</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>(deleted)</source>
        <translation>（已删除）</translation>
    </message>
    <message>
        <source>Theirs</source>
        <translation>对方的</translation>
    </message>
    <message>
        <source>Keep all theirs</source>
        <translation>全部保留对方的</translation>
    </message>
    <message>
        <source>Keep all mine</source>
        <translation>全部保留我的</translation>
    </message>
    <message>
        <source>Save with these choices</source>
        <translation>按这些选择保存</translation>
    </message>
</context>
<context>
    <name>EditError</name>
    <message>
        <source>unknown field type {kind} (use one of {kinds})</source>
        <translation>未知的字段类型 {kind}（可用类型：{kinds}）</translation>
    </message>
    <message>
        <source>an enum field needs its list of values</source>
        <translation>枚举字段需要给出取值列表</translation>
    </message>
    <message>
        <source>field type {spec} names no &apos;type&apos;</source>
        <translation>字段类型 {spec} 未指定“type”</translation>
    </message>
    <message>
        <source>not a field type: {spec}</source>
        <translation>不是字段类型：{spec}</translation>
    </message>
    <message>
        <source>a value is required</source>
        <translation>必须填写值</translation>
    </message>
    <message>
        <source>binary data is not text</source>
        <translation>二进制数据不是文本</translation>
    </message>
    <message>
        <source>{value} is not text</source>
        <translation>{value} 不是文本</translation>
    </message>
    <message>
        <source>{value} is not one of: {values}</source>
        <translation>{value} 不在可选值中：{values}</translation>
    </message>
    <message>
        <source>{value} is not a whole number</source>
        <translation>{value} 不是整数</translation>
    </message>
    <message>
        <source>{value} is a yes/no value, not a whole number</source>
        <translation>{value} 是布尔值（是/否），不是整数</translation>
    </message>
    <message>
        <source>{value} is too large for a whole-number field</source>
        <translation>{value} 超出整数字段的范围</translation>
    </message>
    <message>
        <source>{value} is a yes/no value, not a number</source>
        <translation>{value} 是布尔值（是/否），不是数字</translation>
    </message>
    <message>
        <source>{value} is not a number</source>
        <translation>{value} 不是数字</translation>
    </message>
    <message>
        <source>{value} is not a finite number</source>
        <translation>{value} 不是有限数值</translation>
    </message>
    <message>
        <source>{value} is not a yes/no value (use true/false, 1/0 or 是/否)</source>
        <translation>{value} 不是布尔值（请使用 是/否、true/false 或 1/0）</translation>
    </message>
    <message>
        <source>{value} is not a date (use YYYY-MM-DD)</source>
        <translation>{value} 不是日期（格式为 YYYY-MM-DD，如 2024-05-01）</translation>
    </message>
    <message>
        <source>{value} is not a valid date (there is no month {month})</source>
        <translation>{value} 不是有效日期（没有 {month} 月）</translation>
    </message>
    <message>
        <source>{value} is not a valid date ({year}-{month:02d} has no day {day})</source>
        <translation>{value} 不是有效日期（{year}-{month:02d} 没有 {day} 日）</translation>
    </message>
    <message>
        <source>{value} is not a valid date (year {year})</source>
        <translation>{value} 不是有效日期（年份 {year} 超出范围）</translation>
    </message>
    <message>
        <source>{value} is not a date and time (use YYYY-MM-DDTHH:MM:SS)</source>
        <translation>{value} 不是日期时间（格式为 YYYY-MM-DDTHH:MM:SS）</translation>
    </message>
    <message>
        <source>a field name must be non-empty text</source>
        <translation>字段名不能为空</translation>
    </message>
    <message>
        <source>field name {name} starts or ends with spaces</source>
        <translation>字段名 {name} 的开头或结尾有空格</translation>
    </message>
    <message>
        <source>field name {name} contains a control character or a quote</source>
        <translation>字段名 {name} 含有控制字符或双引号</translation>
    </message>
    <message>
        <source>{name} is reserved and cannot be a field name</source>
        <translation>{name} 是保留名称，不能用作字段名</translation>
    </message>
    <message>
        <source>field name {name} is longer than {n} characters</source>
        <translation>字段名 {name} 超过 {n} 个字符</translation>
    </message>
    <message>
        <source>the object id (oid) cannot be edited</source>
        <translation>对象编号（oid）不能修改</translation>
    </message>
    <message>
        <source>layer {layer} has no field {field}</source>
        <translation>图层 {layer} 没有字段 {field}</translation>
    </message>
    <message>
        <source>layer {layer} already has a field {field}</source>
        <translation>图层 {layer} 已有字段 {field}</translation>
    </message>
    <message>
        <source>row {row} is not an object of layer {layer}</source>
        <translation>第 {row} 行不是图层 {layer} 中的对象</translation>
    </message>
    <message>
        <source>the position is not a finite coordinate</source>
        <translation>位置不是有效坐标</translation>
    </message>
    <message>
        <source>an object is listed twice in one edit</source>
        <translation>同一次编辑中某个对象出现了两次</translation>
    </message>
    <message>
        <source>{n} values for {k} objects</source>
        <translation>给出了 {n} 个值，但对象有 {k} 个</translation>
    </message>
    <message>
        <source>{field} of object {oid}: {problem}</source>
        <translation>对象 {oid} 的 {field}：{problem}</translation>
    </message>
    <message>
        <source>the field is already called {name}</source>
        <translation>字段已经名为 {name}</translation>
    </message>
    <message>
        <source>layer {layer} has text object ids; give the oid</source>
        <translation>图层 {layer} 的对象编号是文本，请指定 oid</translation>
    </message>
    <message>
        <source>layer {layer} already has an object {oid}</source>
        <translation>图层 {layer} 已有对象 {oid}</translation>
    </message>
    <message>
        <source>field {field}: {problem}</source>
        <translation>字段 {field}：{problem}</translation>
    </message>
    <message>
        <source>object {oid} of layer {layer} is not a point</source>
        <translation>图层 {layer} 的对象 {oid} 不是点对象</translation>
    </message>
    <message>
        <source>no objects to delete</source>
        <translation>没有要删除的对象</translation>
    </message>
    <message>
        <source>an edit needs at least one step</source>
        <translation>一次编辑至少需要一个步骤</translation>
    </message>
    <message>
        <source>layer {layer} is not open</source>
        <translation>图层 {layer} 未打开</translation>
    </message>
    <message>
        <source>layer {layer} has no object {oid}</source>
        <translation>图层 {layer} 没有对象 {oid}</translation>
    </message>
    <message>
        <source>unknown journal step {op}</source>
        <translation>未知的日志步骤 {op}</translation>
    </message>
</context>
<context>
    <name>EditLabel</name>
    <message>
        <source>Set {field} of {n} objects</source>
        <translation>设置 {n} 个对象的 {field}</translation>
    </message>
    <message>
        <source>Set {field}</source>
        <translation>设置 {field}</translation>
    </message>
    <message>
        <source>Add field {f}</source>
        <translation>添加字段 {f}</translation>
    </message>
    <message>
        <source>Rename field {f} to {g}</source>
        <translation>将字段 {f} 重命名为 {g}</translation>
    </message>
    <message>
        <source>Delete field {f}</source>
        <translation>删除字段 {f}</translation>
    </message>
    <message>
        <source>Add point object</source>
        <translation>添加点对象</translation>
    </message>
    <message>
        <source>Move point object</source>
        <translation>移动点对象</translation>
    </message>
    <message>
        <source>Delete {n} objects</source>
        <translation>删除 {n} 个对象</translation>
    </message>
    <message>
        <source>Delete object</source>
        <translation>删除对象</translation>
    </message>
    <message>
        <source>{label} (undone)</source>
        <translation>{label}（已撤销）</translation>
    </message>
    <message>
        <source>Restore objects</source>
        <translation>恢复对象</translation>
    </message>
    <message>
        <source>Camera coverage</source>
        <translation>视频监控覆盖</translation>
    </message>
    <message>
        <source>Height limit check</source>
        <translation>控高分析</translation>
    </message>
    <message>
        <source>{analysis} {params}</source>
        <translation>{analysis}（参数 {params}）</translation>
    </message>
    <message>
        <source>Sunlight analysis</source>
        <translation>日照分析</translation>
    </message>
</context>
<context>
    <name>EditSession</name>
    <message>
        <source>These layers are not in a GeoPackage store: import them first (twinviewer import … --into DISTRICT.gpkg).</source>
        <translation>这些图层不在 GeoPackage 数据库中，请先导入（twinviewer import … --into DISTRICT.gpkg）。</translation>
    </message>
    <message>
        <source>Pending edits span several GeoPackages; saving them in one transaction is not possible.</source>
        <translation>待保存的修改涉及多个 GeoPackage 文件，无法在同一事务中保存。</translation>
    </message>
    <message>
        <source>Saved {n} changes to {file}</source>
        <translation>已将 {n} 处修改保存到 {file}</translation>
    </message>
</context>
<context>
    <name>FieldDelegate</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <source>Nothing selected</source>
        <translation>未选中任何对象</translation>
    </message>
    <message>
        <source>Edit history</source>
        <translation>修改记录</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>修改人</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Old</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>{layer}: object {oid}</source>
        <translation>{layer}：对象 {oid}</translation>
    </message>
    <message>
        <source>({n} selected)</source>
        <translation>（已选 {n} 个）</translation>
    </message>
    <message>
        <source>Edit history (not in a store)</source>
        <translation>修改记录（未入库）</translation>
    </message>
    <message>
        <source>Edit history unavailable: {e}</source>
        <translation>无法读取修改记录：{e}</translation>
    </message>
    <message>
        <source>Edit history ({n})</source>
        <translation>修改记录（{n}）</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>对象数</translation>
    </message>
    <message>
        <source>Opacity of the current layer</source>
        <translation>当前图层的不透明度</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>vector data</source>
        <translation>矢量数据</translation>
    </message>
    <message>
        <source>CityJSON model</source>
        <translation>CityJSON 模型</translation>
    </message>
    <message>
        <source>3D mesh</source>
        <translation>三维网格</translation>
    </message>
    <message>
        <source>raster</source>
        <translation>栅格</translation>
    </message>
    <message>
        <source>basemap tiles</source>
        <translation>底图瓦片</translation>
    </message>
</context>
<context>
    <name>LoadError</name>
    <message>
        <source>unknown CRS {value!r} ({detail})</source>
        <translation>未知的坐标参考系 {value!r}（{detail}）</translation>
    </message>
    <message>
        <source>a 7-parameter transform needs the CRS of the layer&apos;s coordinates: give transform.from (or the layer&apos;s crs)</source>
        <translation>七参数转换需要图层坐标所用的坐标参考系：请设置 transform.from（或图层的 crs）</translation>
    </message>
    <message>
        <source>a 7-parameter transform needs a target CRS: give transform.to (or the scene&apos;s crs)</source>
        <translation>七参数转换需要目标坐标参考系：请设置 transform.to（或场景的 crs）</translation>
    </message>
    <message>
        <source>transform.{key} {name!r} is neither geographic nor projected</source>
        <translation>transform.{key} {name!r} 既不是地理坐标系也不是投影坐标系</translation>
    </message>
    <message>
        <source>the {type} transform gives coordinates that are not finite (check its parameters and CRSs)</source>
        <translation>{type} 转换得到了非有限值坐标（请检查其参数和坐标参考系）</translation>
    </message>
    <message>
        <source>asset model missing ({detail})</source>
        <translation>缺少模型资源（{detail}）</translation>
    </message>
    <message>
        <source>asset model is empty or damaged</source>
        <translation>模型资源为空或已损坏</translation>
    </message>
    <message>
        <source>key &apos;bookmarks&apos; must be an array of tables ([[bookmarks]])</source>
        <translation>键“bookmarks”必须是表数组（[[bookmarks]]）</translation>
    </message>
    <message>
        <source>{key} is missing key &apos;{missing}&apos;</source>
        <translation>{key} 缺少键“{missing}”</translation>
    </message>
    <message>
        <source>{key} {value!r} is used twice</source>
        <translation>{key} {value!r} 重复使用</translation>
    </message>
    <message>
        <source>{key}: position and focal_point are the same point</source>
        <translation>{key}：position 与 focal_point 是同一个点</translation>
    </message>
    <message>
        <source>key &apos;paths&apos; must be an array of tables ([[paths]])</source>
        <translation>键“paths”必须是表数组（[[paths]]）</translation>
    </message>
    <message>
        <source>{key} must be a positive number of metres per second</source>
        <translation>{key} 必须是正数（单位：米/秒）</translation>
    </message>
    <message>
        <source>{key} has no keyframes</source>
        <translation>{key} 没有关键帧</translation>
    </message>
    <message>
        <source> (did you mean &apos;{near}&apos;?)</source>
        <translation>（是否指“{near}”？）</translation>
    </message>
    <message>
        <source>{key} {value!r} is not a bookmark of this file</source>
        <translation>{key} {value!r} 不是本文件中的书签</translation>
    </message>
    <message>
        <source>{key} must be a number of seconds, 0 or more</source>
        <translation>{key} 必须是不小于 0 的秒数</translation>
    </message>
    <message>
        <source>{key} must be a list of layer names</source>
        <translation>{key} 必须是图层名称列表</translation>
    </message>
    <message>
        <source>{key} must be a table</source>
        <translation>{key} 必须是一个表</translation>
    </message>
    <message>
        <source>unknown key &apos;{key}&apos; (did you mean &apos;{near}&apos;?)</source>
        <translation>未知的键“{key}”（是否指“{near}”？）</translation>
    </message>
    <message>
        <source>unknown key &apos;{key}&apos;</source>
        <translation>未知的键“{key}”</translation>
    </message>
    <message>
        <source>{key} has the wrong type ({type})</source>
        <translation>{key} 的类型错误（{type}）</translation>
    </message>
    <message>
        <source>key &apos;{key}&apos; must be a list of {n} numbers</source>
        <translation>键“{key}”必须是由 {n} 个数值组成的列表</translation>
    </message>
    <message>
        <source>key &apos;{key}&apos; holds a number out of range</source>
        <translation>键“{key}”中有数值超出范围</translation>
    </message>
    <message>
        <source>not enough memory to read this file</source>
        <translation>内存不足，无法读取此文件</translation>
    </message>
    <message>
        <source>invalid LoD {lod!r} requested</source>
        <translation>请求的细节层次（LoD）{lod!r} 无效</translation>
    </message>
    <message>
        <source>cannot open the file ({detail})</source>
        <translation>无法打开文件（{detail}）</translation>
    </message>
    <message>
        <source>is not a file</source>
        <translation>不是文件</translation>
    </message>
    <message>
        <source>file is {size:,} bytes, more than the limit of {limit:,} bytes</source>
        <translation>文件大小为 {size:,} 字节，超过上限 {limit:,} 字节</translation>
    </message>
    <message>
        <source>cannot read the file ({detail})</source>
        <translation>无法读取文件（{detail}）</translation>
    </message>
    <message>
        <source>not a CityJSON file: the text is not UTF-8</source>
        <translation>不是 CityJSON 文件：文本不是 UTF-8 编码</translation>
    </message>
    <message>
        <source>unknown CityJSON version {version!r}; read as 2.0</source>
        <translation>未知的 CityJSON 版本 {version!r}；按 2.0 读取</translation>
    </message>
    <message>
        <source>not a CityJSON file: the file is empty</source>
        <translation>不是 CityJSON 文件：文件为空</translation>
    </message>
    <message>
        <source>invalid JSON: nested too deeply</source>
        <translation>JSON 无效：嵌套层级过深</translation>
    </message>
    <message>
        <source>invalid JSON ({detail})</source>
        <translation>JSON 无效（{detail}）</translation>
    </message>
    <message>
        <source>line {line}: </source>
        <translation>第 {line} 行：</translation>
    </message>
    <message>
        <source>{problem} at line {line} column {column}</source>
        <translation>{problem}（第 {line} 行第 {column} 列）</translation>
    </message>
    <message>
        <source>not a CityJSON file: expected a JSON object, found {kind}</source>
        <translation>不是 CityJSON 文件：应为 JSON 对象，实际为{kind}</translation>
    </message>
    <message>
        <source>a second CityJSON header inside a CityJSONSeq</source>
        <translation>CityJSONSeq 中出现了第二个 CityJSON 文件头</translation>
    </message>
    <message>
        <source>CityJSON 0.x files (&apos;type&apos;: &apos;CityModel&apos;) are not supported; upgrade the file to CityJSON 1.0 or later (e.g. with cjio)</source>
        <translation>不支持 CityJSON 0.x 文件（&apos;type&apos;: &apos;CityModel&apos;）；请将文件升级到 CityJSON 1.0 或更高版本（例如使用 cjio）</translation>
    </message>
    <message>
        <source>not a CityJSON file: no &apos;type&apos; member (expected &apos;CityJSON&apos; or &apos;CityJSONFeature&apos;)</source>
        <translation>不是 CityJSON 文件：缺少“type”成员（应为“CityJSON”或“CityJSONFeature”）</translation>
    </message>
    <message>
        <source>not a CityJSON file: &apos;type&apos; is {type} (expected &apos;CityJSON&apos; or &apos;CityJSONFeature&apos;)</source>
        <translation>不是 CityJSON 文件：“type”为 {type}（应为“CityJSON”或“CityJSONFeature”）</translation>
    </message>
    <message>
        <source>CityJSONFeature has no &apos;CityObjects&apos; object</source>
        <translation>CityJSONFeature 缺少“CityObjects”对象</translation>
    </message>
    <message>
        <source>CityJSONFeature has no &apos;id&apos; (the id of its main CityObject)</source>
        <translation>CityJSONFeature 缺少“id”（其主城市对象的 id）</translation>
    </message>
    <message>
        <source>CityJSONFeature id {id!r} is not one of its CityObjects</source>
        <translation>CityJSONFeature 的 id {id!r} 不是其城市对象之一</translation>
    </message>
    <message>
        <source>&apos;transform&apos; must be an object with &apos;scale&apos; and &apos;translate&apos;</source>
        <translation>“transform”必须是包含“scale”和“translate”的对象</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; must be three numbers</source>
        <translation>“{what}”必须是 3 个数值</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; {value} is not finite</source>
        <translation>“{what}” {value} 不是有限值</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; must be a list of [x, y, z]</source>
        <translation>“{what}”必须是 [x, y, z] 列表</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; holds {n:,} vertices, more than twinviewer reads ({limit:,})</source>
        <translation>“{what}”包含 {n:,} 个顶点，超过 twinviewer 可读取的上限（{limit:,}）</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; must be a list of [x, y, z] numbers</source>
        <translation>“{what}”必须是 [x, y, z] 数值列表</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; hold a number too large for a coordinate</source>
        <translation>“{what}”中有数值过大，不能作为坐标</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; {i} is not a finite coordinate</source>
        <translation>“{what}”第 {i} 个不是有限值坐标</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; {i} has an absurd coordinate {xyz} (beyond {limit:g})</source>
        <translation>“{what}”第 {i} 个坐标 {xyz} 不合理（超出 {limit:g}）</translation>
    </message>
    <message>
        <source>&apos;metadata&apos; must be an object</source>
        <translation>“metadata”必须是对象</translation>
    </message>
    <message>
        <source>ignored metadata.referenceSystem {value} (not a string)</source>
        <translation>已忽略 metadata.referenceSystem {value}（不是字符串）</translation>
    </message>
    <message>
        <source>boundaries must hold integer vertex indices</source>
        <translation>boundaries 必须由整数顶点索引组成</translation>
    </message>
    <message>
        <source>vertex index {i} out of range (the file has {n} vertices)</source>
        <translation>顶点索引 {i} 超出范围（文件共有 {n} 个顶点）</translation>
    </message>
    <message>
        <source>&apos;CityObjects&apos; must be an object</source>
        <translation>“CityObjects”必须是对象</translation>
    </message>
    <message>
        <source>CityObject {id}: {problem}</source>
        <translation>城市对象 {id}：{problem}</translation>
    </message>
    <message>
        <source>must be a JSON object, found {kind}</source>
        <translation>必须是 JSON 对象，实际为{kind}</translation>
    </message>
    <message>
        <source>has no &apos;type&apos;</source>
        <translation>缺少“type”</translation>
    </message>
    <message>
        <source>&apos;type&apos; must be a text</source>
        <translation>“type”必须是文本</translation>
    </message>
    <message>
        <source>&apos;parents&apos; must list CityObject ids</source>
        <translation>“parents”必须列出城市对象的 id</translation>
    </message>
    <message>
        <source>&apos;attributes&apos; must be an object</source>
        <translation>“attributes”必须是对象</translation>
    </message>
    <message>
        <source>a geometry must be a JSON object, found {kind}</source>
        <translation>几何必须是 JSON 对象，实际为{kind}</translation>
    </message>
    <message>
        <source>unknown geometry type {type}</source>
        <translation>未知的几何类型 {type}</translation>
    </message>
    <message>
        <source>uses a GeometryInstance but the file has no &apos;geometry-templates&apos;</source>
        <translation>使用了 GeometryInstance，但文件中没有“geometry-templates”</translation>
    </message>
    <message>
        <source>&apos;geometry-templates.templates&apos; must be a list</source>
        <translation>“geometry-templates.templates”必须是列表</translation>
    </message>
    <message>
        <source>GeometryInstance &apos;template&apos; must be an integer</source>
        <translation>GeometryInstance 的“template”必须是整数</translation>
    </message>
    <message>
        <source>GeometryInstance template {index} does not exist (the file has {n})</source>
        <translation>GeometryInstance 模板 {index} 不存在（文件共有 {n} 个）</translation>
    </message>
    <message>
        <source>geometry template {index} must be a JSON object</source>
        <translation>几何模板 {index} 必须是 JSON 对象</translation>
    </message>
    <message>
        <source>geometry template {index} has an invalid type {type}</source>
        <translation>几何模板 {index} 的类型 {type} 无效</translation>
    </message>
    <message>
        <source>GeometryInstance &apos;boundaries&apos; must be one vertex index</source>
        <translation>GeometryInstance 的“boundaries”必须是一个顶点索引</translation>
    </message>
    <message>
        <source>GeometryInstance &apos;transformationMatrix&apos; must be 16 numbers</source>
        <translation>GeometryInstance 的“transformationMatrix”必须是 16 个数值</translation>
    </message>
    <message>
        <source>GeometryInstance &apos;transformationMatrix&apos; is not finite</source>
        <translation>GeometryInstance 的“transformationMatrix”含有非有限值</translation>
    </message>
    <message>
        <source>{type} geometry has no &apos;boundaries&apos;</source>
        <translation>{type} 几何缺少“boundaries”</translation>
    </message>
    <message>
        <source>{n} repeated CityObject ids were renamed with a &apos;#N&apos; suffix</source>
        <translation>{n} 个重复的城市对象 id 已加上“#N”后缀重命名</translation>
    </message>
    <message>
        <source>{n} objects with geometry have no LoD {lod}</source>
        <translation>{n} 个有几何的对象没有细节层次（LoD）{lod}</translation>
    </message>
    <message>
        <source>{n} degenerate surfaces skipped</source>
        <translation>已跳过 {n} 个退化面</translation>
    </message>
    <message>
        <source>&apos;{what}&apos; must be a list, found {kind}</source>
        <translation>“{what}”必须是列表，实际为{kind}</translation>
    </message>
    <message>
        <source>{what} must be a list, found {kind}</source>
        <translation>{what} 必须是列表，实际为{kind}</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>列表</translation>
    </message>
    <message>
        <source>a text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>true/false</source>
        <translation>布尔值</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>missing member {name}</source>
        <translation>缺少成员 {name}</translation>
    </message>
    <message>
        <source>an index is out of range ({detail})</source>
        <translation>索引超出范围（{detail}）</translation>
    </message>
    <message>
        <source>nested too deeply</source>
        <translation>嵌套层级过深</translation>
    </message>
    <message>
        <source>text is not valid UTF-8</source>
        <translation>文本不是有效的 UTF-8</translation>
    </message>
    <message>
        <source>malformed CityJSON ({detail})</source>
        <translation>CityJSON 格式错误（{detail}）</translation>
    </message>
    <message>
        <source>open one scene file at a time, without other files</source>
        <translation>一次只能打开一个场景文件，且不能同时打开其他文件</translation>
    </message>
    <message>
        <source>file not found</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <source>unknown layer kind {kind!r} ({known})</source>
        <translation>未知的图层类型 {kind!r}（可选：{known}）</translation>
    </message>
    <message>
        <source>no reader for {scheme}:// sources of kind {kind}</source>
        <translation>没有读取器能读取 {kind} 类型的 {scheme}:// 数据源</translation>
    </message>
    <message>
        <source>a scene file cannot be a layer of another scene</source>
        <translation>场景文件不能作为另一个场景的图层</translation>
    </message>
    <message>
        <source>option {option!r} does not apply to {kind} layers</source>
        <translation>选项 {option!r} 不适用于 {kind} 图层</translation>
    </message>
    <message>
        <source>reads {path}, outside the scene file&apos;s folder</source>
        <translation>读取了场景文件所在文件夹之外的 {path}</translation>
    </message>
    <message>
        <source>sensitive field {field!r} is not a field of this layer</source>
        <translation>敏感字段 {field!r} 不是该图层的字段</translation>
    </message>
    <message>
        <source>cannot reproject ({detail})</source>
        <translation>无法重投影（{detail}）</translation>
    </message>
    <message>
        <source>no CRS in the file; coordinates look like degrees: taken as WGS 84 (EPSG:4326)</source>
        <translation>文件中没有坐标参考系；坐标看起来是经纬度，已按 WGS 84（EPSG:4326）处理</translation>
    </message>
    <message>
        <source>contains no geometry</source>
        <translation>不含任何几何</translation>
    </message>
    <message>
        <source>coordinates overflow after placement</source>
        <translation>放置后坐标溢出</translation>
    </message>
    <message>
        <source>unsupported mesh format &apos;{suffix}&apos; (use {known})</source>
        <translation>不支持的网格格式“{suffix}”（请使用 {known}）</translation>
    </message>
    <message>
        <source>not a file</source>
        <translation>不是文件</translation>
    </message>
    <message>
        <source>cannot open file ({detail})</source>
        <translation>无法打开文件（{detail}）</translation>
    </message>
    <message>
        <source>contains no geometry (empty file)</source>
        <translation>不含任何几何（空文件）</translation>
    </message>
    <message>
        <source>file is too large ({size:.0f} MiB, limit {limit:.0f} MiB)</source>
        <translation>文件过大（{size:.0f} MiB，上限 {limit:.0f} MiB）</translation>
    </message>
    <message>
        <source>damaged PLY header: {line!r}</source>
        <translation>PLY 文件头已损坏：{line!r}</translation>
    </message>
    <message>
        <source>the PLY header claims {count:,} {name} elements, but the file has room for at most {room:,}: damaged file</source>
        <translation>PLY 文件头声明有 {count:,} 个 {name} 元素，但文件最多只能容纳 {room:,} 个：文件已损坏</translation>
    </message>
    <message>
        <source>invalid {what}: {value!r}</source>
        <translation>{what} 无效：{value!r}</translation>
    </message>
    <message>
        <source>invalid scale: {value!r} (zero)</source>
        <translation>缩放无效：{value!r}（为零）</translation>
    </message>
    <message>
        <source>invalid up_axis {value!r} (use &apos;y&apos; or &apos;z&apos;)</source>
        <translation>up_axis {value!r} 无效（请使用“y”或“z”）</translation>
    </message>
    <message>
        <source>damaged {format} file (nesting too deep)</source>
        <translation>{format} 文件已损坏（嵌套层级过深）</translation>
    </message>
    <message>
        <source>cannot read {format} file or a file it refers to ({detail})</source>
        <translation>无法读取 {format} 文件或其引用的文件（{detail}）</translation>
    </message>
    <message>
        <source>damaged or unsupported {format} file ({detail})</source>
        <translation>{format} 文件已损坏或不受支持（{detail}）</translation>
    </message>
    <message>
        <source>non-finite transform on node &apos;{node}&apos;</source>
        <translation>节点“{node}”的变换含有非有限值</translation>
    </message>
    <message>
        <source>contains NaN or infinite vertex coordinates</source>
        <translation>顶点坐标含有 NaN 或无穷大</translation>
    </message>
    <message>
        <source>face refers to a vertex that does not exist ({n} vertices)</source>
        <translation>面引用了不存在的顶点（共 {n} 个顶点）</translation>
    </message>
    <message>
        <source>line refers to a vertex that does not exist ({n} vertices)</source>
        <translation>线引用了不存在的顶点（共 {n} 个顶点）</translation>
    </message>
    <message>
        <source>texture of &apos;{name}&apos; unreadable: {detail}</source>
        <translation>“{name}”的纹理无法读取：{detail}</translation>
    </message>
    <message>
        <source>point cloud thinned to every {step}th of {n} points</source>
        <translation>点云已抽稀：{n} 个点中每 {step} 个取 1 个</translation>
    </message>
    <message>
        <source>scene file not found</source>
        <translation>场景文件不存在</translation>
    </message>
    <message>
        <source>scene file is too large to be a scene file</source>
        <translation>文件过大，不可能是场景文件</translation>
    </message>
    <message>
        <source>scene file is not UTF-8 text</source>
        <translation>场景文件不是 UTF-8 文本</translation>
    </message>
    <message>
        <source>scene file syntax error: {detail}</source>
        <translation>场景文件语法错误：{detail}</translation>
    </message>
    <message>
        <source>line {line}, column {column}</source>
        <translation>第 {line} 行第 {column} 列</translation>
    </message>
    <message>
        <source>at the end of the file</source>
        <translation>位于文件末尾</translation>
    </message>
    <message>
        <source>missing key &apos;version&apos; (this program writes version = 1)</source>
        <translation>缺少键“version”（本程序写入 version = 1）</translation>
    </message>
    <message>
        <source>key &apos;version&apos; must be an integer</source>
        <translation>键“version”必须是整数</translation>
    </message>
    <message>
        <source>scene version {version} is newer than this program understands ({supported})</source>
        <translation>场景版本 {version} 高于本程序支持的版本（{supported}）</translation>
    </message>
    <message>
        <source>key &apos;crs&apos; must be a string such as &quot;EPSG:32651&quot;</source>
        <translation>键“crs”必须是字符串，例如 &quot;EPSG:32651&quot;</translation>
    </message>
    <message>
        <source>key &apos;view&apos; must be a table</source>
        <translation>键“view”必须是一个表</translation>
    </message>
    <message>
        <source>key &apos;live&apos; must be a table</source>
        <translation>键 &apos;live&apos; 必须是一个表</translation>
    </message>
    <message>
        <source>key &apos;layers&apos; must be an array of tables ([[layers]])</source>
        <translation>键“layers”必须是表数组（[[layers]]）</translation>
    </message>
    <message>
        <source>{key} holds a password: keep it in ~/.pgpass (PGPASSFILE), PGPASSWORD or a service file, never in a scene file</source>
        <translation>{key} 中包含密码：请将密码保存在 ~/.pgpass（PGPASSFILE）、PGPASSWORD 或服务文件中，切勿写入场景文件</translation>
    </message>
    <message>
        <source>{key} must be between 0 and 1</source>
        <translation>{key} 必须介于 0 和 1 之间</translation>
    </message>
    <message>
        <source>{key} has the wrong type</source>
        <translation>{key} 的类型错误</translation>
    </message>
    <message>
        <source>{key} {value!r} is not a colour like &quot;#d9d4c7&quot;</source>
        <translation>{key} {value!r} 不是 &quot;#d9d4c7&quot; 这样的颜色</translation>
    </message>
    <message>
        <source>{key} must be between 4 and 96 pixels</source>
        <translation>{key} 必须介于 4 到 96 像素之间</translation>
    </message>
    <message>
        <source>{key} must be two sizes with 0 &lt; smallest &lt;= largest &lt;= 100</source>
        <translation>{key} 必须是两个尺寸，且 0 &lt; 最小值 &lt;= 最大值 &lt;= 100</translation>
    </message>
    <message>
        <source>{key} must be between 0 and 10000 metres</source>
        <translation>{key} 必须介于 0 到 10000 米之间</translation>
    </message>
    <message>
        <source>{key} must be between 0 and 360 degrees</source>
        <translation>{key} 必须介于 0 到 360 度之间</translation>
    </message>
    <message>
        <source>{key} must be a list of field names</source>
        <translation>{key} 必须是字段名列表</translation>
    </message>
    <message>
        <source>{key} values must be asset names</source>
        <translation>{key} 的值必须是模型资源名称</translation>
    </message>
    <message>
        <source>key &apos;filters&apos; must be an array of tables ([[filters]])</source>
        <translation>键 &apos;filters&apos; 必须是表数组（[[filters]]）</translation>
    </message>
    <message>
        <source>{where} must be a table</source>
        <translation>{where} 必须是一个表</translation>
    </message>
    <message>
        <source>{where} needs the text key &apos;{key}&apos;</source>
        <translation>{where} 缺少文本键 &apos;{key}&apos;</translation>
    </message>
    <message>
        <source>key &apos;{key}&apos; has the wrong type ({type})</source>
        <translation>键“{key}”的类型错误（{type}）</translation>
    </message>
    <message>
        <source>{key} {value!r} is not one of {choices}</source>
        <translation>{key} {value!r} 不是 {choices} 之一</translation>
    </message>
    <message>
        <source>unknown key &apos;{key}&apos; ({type} takes: {keys})</source>
        <translation>未知的键“{key}”（{type} 可用的键：{keys}）</translation>
    </message>
    <message>
        <source>{key} must be a number</source>
        <translation>{key} 必须是数值</translation>
    </message>
    <message>
        <source>{key} = {value} is out of range (at most {limit:g} in size)</source>
        <translation>{key} = {value} 超出范围（绝对值不超过 {limit:g}）</translation>
    </message>
    <message>
        <source>{key} must be a string such as {example}</source>
        <translation>{key} 必须是字符串，例如 {example}</translation>
    </message>
    <message>
        <source>{key} {value!r} is not a projected CRS (a 4-parameter transform works on plane coordinates in metres)</source>
        <translation>{key} {value!r} 不是投影坐标系（四参数转换作用于以米为单位的平面坐标）</translation>
    </message>
    <message>
        <source>cannot update the scene file: {detail}</source>
        <translation>无法更新场景文件：{detail}</translation>
    </message>
    <message>
        <source>cannot write the scene file: {detail}</source>
        <translation>无法写入场景文件：{detail}</translation>
    </message>
    <message>
        <source>the file is empty (0 bytes)</source>
        <translation>文件为空（0 字节）</translation>
    </message>
    <message>
        <source>has no layer named {table!r}</source>
        <translation>没有名为 {table!r} 的图层</translation>
    </message>
    <message>
        <source>coordinates converted from GCJ-02 to WGS 84 as asked (gcj02 = true; accuracy about 1 m)</source>
        <translation>已按要求将坐标从 GCJ-02 转换为 WGS 84（gcj02 = true；精度约 1 米）</translation>
    </message>
    <message>
        <source>class field {field!r} is not a field of layer {table!r}</source>
        <translation>分类字段 {field!r} 不是图层 {table!r} 的字段</translation>
    </message>
    <message>
        <source>base_height must be a number or &quot;terrain&quot;, not {value!r}</source>
        <translation>base_height 必须是数字或 &quot;terrain&quot;，而不是 {value!r}</translation>
    </message>
    <message>
        <source>{n} objects have invalid or non-finite coordinates and are not drawn</source>
        <translation>{n} 个对象的坐标无效或为非有限值，未绘制</translation>
    </message>
    <message>
        <source>text is not valid {encoding}; set the layer&apos;s encoding (e.g. encoding = &quot;GBK&quot;)</source>
        <translation>文本不是有效的 {encoding}；请设置图层的编码（例如 encoding = &quot;GBK&quot;）</translation>
    </message>
    <message>
        <source>text is neither UTF-8 nor GBK/GB18030; set the layer&apos;s encoding</source>
        <translation>文本既不是 UTF-8 也不是 GBK/GB18030；请设置图层的编码</translation>
    </message>
    <message>
        <source>the file is not UTF-8: its text was read as GB18030 (GBK); set encoding in the scene file if the names look wrong</source>
        <translation>文件不是 UTF-8 编码：已按 GB18030（GBK）读取文本；如名称显示不正确，请在场景文件中设置 encoding</translation>
    </message>
    <message>
        <source>not a readable vector file (unknown or damaged format)</source>
        <translation>不是可读取的矢量文件（格式未知或已损坏）</translation>
    </message>
    <message>
        <source>height field {field!r} is not a field of the layer</source>
        <translation>高度字段 {field!r} 不是该图层的字段</translation>
    </message>
    <message>
        <source>floors field {field!r} is not a field of the layer</source>
        <translation>层数字段 {field!r} 不是该图层的字段</translation>
    </message>
    <message>
        <source>damaged geometry ({detail})</source>
        <translation>几何已损坏（{detail}）</translation>
    </message>
    <message>
        <source>gcj02 = true needs longitude/latitude data, but the layer&apos;s CRS is {crs}</source>
        <translation>gcj02 = true 需要经纬度数据，但该图层的坐标参考系是 {crs}</translation>
    </message>
    <message>
        <source>field {field!r} is hidden: {why}</source>
        <translation>字段 {field!r} 已隐藏：{why}</translation>
    </message>
    <message>
        <source>cannot export to {suffix!r} (use one of {choices})</source>
        <translation>无法导出为 {suffix!r}（请用 {choices} 之一）</translation>
    </message>
    <message>
        <source>the output folder does not exist</source>
        <translation>输出文件夹不存在</translation>
    </message>
    <message>
        <source>cannot write the demo scene ({detail})</source>
        <translation>无法写入演示场景（{detail}）</translation>
    </message>
    <message>
        <source>--filter: the scene has no saved filter {name!r} (saved filters: {names})</source>
        <translation>--filter：场景中没有名为 {name!r} 的已保存筛选（已保存的筛选：{names}）</translation>
    </message>
    <message>
        <source>the raster has no CRS: give one in the scene file (crs = &quot;EPSG:4549&quot;)</source>
        <translation>栅格没有坐标系：请在场景文件中指定（crs = &quot;EPSG:4549&quot;）</translation>
    </message>
    <message>
        <source>every cell is nodata: nothing to draw</source>
        <translation>所有像元均为无数据值：没有可绘制的内容</translation>
    </message>
    <message>
        <source>not a readable raster ({detail})</source>
        <translation>不是可读取的栅格（{detail}）</translation>
    </message>
    <message>
        <source>base_height = &quot;terrain&quot; but the scene has no DEM: set on the flat ground</source>
        <translation>base_height = &quot;terrain&quot;，但场景中没有 DEM：放置在平地上</translation>
    </message>
    <message>
        <source>unknown tile matrix set {name!r} ({known})</source>
        <translation>未知的瓦片矩阵集 {name!r}（{known}）</translation>
    </message>
    <message>
        <source>not a readable MBTiles file ({detail})</source>
        <translation>不是可读取的 MBTiles 文件（{detail}）</translation>
    </message>
    <message>
        <source>the MBTiles file holds no tiles</source>
        <translation>MBTiles 文件中没有瓦片</translation>
    </message>
    <message>
        <source>no {z}/{x}/{y} tiles in this folder (and no url to fetch them)</source>
        <translation>此文件夹中没有 {z}/{x}/{y} 瓦片（也没有可下载瓦片的 url）</translation>
    </message>
    <message>
        <source>the basemap&apos;s extent is unknown: give bounds = [west, south, east, north]</source>
        <translation>底图范围未知：请给出 bounds = [西, 南, 东, 北]</translation>
    </message>
    <message>
        <source>url must start with http:// or https://</source>
        <translation>url 必须以 http:// 或 https:// 开头</translation>
    </message>
    <message>
        <source>url must hold {z}, {x} and {y}</source>
        <translation>url 必须包含 {z}、{x} 和 {y}</translation>
    </message>
    <message>
        <source>zoom levels {zooms} are missing: coarser tiles stand in</source>
        <translation>缺少缩放级别 {zooms}：以较粗级别的瓦片代替</translation>
    </message>
    <message>
        <source>web map tiles of China (Gaode, Tencent, Baidu) are offset by 100-700 m: if these are, set gcj02 = true (Tianditu needs none)</source>
        <translation>中国的网络地图瓦片（高德、腾讯、百度）有 100-700 米偏移：如果是这类瓦片，请设置 gcj02 = true（天地图无需设置）</translation>
    </message>
    <message>
        <source>not an OSGB folder: no metadata.xml</source>
        <translation>不是 OSGB 文件夹：缺少 metadata.xml</translation>
    </message>
    <message>
        <source>broken XML ({detail})</source>
        <translation>XML 已损坏（{detail}）</translation>
    </message>
    <message>
        <source>metadata.xml names no &lt;SRS&gt;</source>
        <translation>metadata.xml 未给出 &lt;SRS&gt;</translation>
    </message>
    <message>
        <source>SRSOrigin {text!r} is not numbers</source>
        <translation>SRSOrigin {text!r} 不是数字</translation>
    </message>
    <message>
        <source>SRS {srs!r}: ENU needs ENU:lat,lon</source>
        <translation>SRS {srs!r}：ENU 须写成 ENU:纬度,经度</translation>
    </message>
    <message>
        <source>SRS {srs!r}: latitude or longitude out of range</source>
        <translation>SRS {srs!r}：纬度或经度超出范围</translation>
    </message>
    <message>
        <source>unknown SRS {srs!r}</source>
        <translation>未知的 SRS {srs!r}</translation>
    </message>
    <message>
        <source>osgconv (OpenSceneGraph) is not installed: apt-get install openscenegraph</source>
        <translation>未安装 osgconv（OpenSceneGraph）：apt-get install openscenegraph</translation>
    </message>
    <message>
        <source>osgconv took longer than {s} s</source>
        <translation>osgconv 运行超过 {s} 秒</translation>
    </message>
    <message>
        <source>OpenSceneGraph cannot read it ({detail})</source>
        <translation>OpenSceneGraph 无法读取（{detail}）</translation>
    </message>
    <message>
        <source>not an OSGB folder: no Data/ folder</source>
        <translation>不是 OSGB 文件夹：缺少 Data/ 文件夹</translation>
    </message>
    <message>
        <source>no Data/Tile_*/Tile_*.osgb tiles</source>
        <translation>没有 Data/Tile_*/Tile_*.osgb 瓦片</translation>
    </message>
    <message>
        <source>{file}: missing tile file</source>
        <translation>{file}：缺少瓦片文件</translation>
    </message>
    <message>
        <source>{file}: cannot convert ({detail})</source>
        <translation>{file}：无法转换（{detail}）</translation>
    </message>
    <message>
        <source>{file}: missing tile file, its parent stays drawn</source>
        <translation>{file}：缺少瓦片文件，继续显示其上级瓦片</translation>
    </message>
    <message>
        <source>no tile could be converted</source>
        <translation>没有可转换的瓦片</translation>
    </message>
    <message>
        <source>converted to {tileset}, but this build has no 3D Tiles reader</source>
        <translation>已转换为 {tileset}，但此版本没有 3D Tiles 读取器</translation>
    </message>
    <message>
        <source>not a readable zip file ({detail})</source>
        <translation>不是可读取的 zip 文件（{detail}）</translation>
    </message>
    <message>
        <source>the zip file holds no raster (.tif, .img, .asc, .hgt...)</source>
        <translation>zip 文件中没有栅格（.tif、.img、.asc、.hgt……）</translation>
    </message>
    <message>
        <source>the raster has no cells or no bands</source>
        <translation>栅格没有像元或没有波段</translation>
    </message>
    <message>
        <source>role must be &quot;terrain&quot; or &quot;imagery&quot;, not {role!r}</source>
        <translation>role 必须是 &quot;terrain&quot; 或 &quot;imagery&quot;，而不是 {role!r}</translation>
    </message>
    <message>
        <source>max_error must be a positive number of metres</source>
        <translation>max_error 必须是以米为单位的正数</translation>
    </message>
    <message>
        <source>heights are in {unit}: converted to metres (x {factor})</source>
        <translation>高程单位为 {unit}：已换算为米（× {factor}）</translation>
    </message>
    <message>
        <source>a 1 x 1 raster: drawn as one flat cell</source>
        <translation>1 × 1 栅格：绘制为一个平坦像元</translation>
    </message>
    <message>
        <source>stored as one strip without overviews: every view reads the whole image; convert it to a tiled COG (gdal_translate -of COG) for speed</source>
        <translation>以单一条带存储且没有金字塔：每次显示都要读取整幅影像；请转换为分块 COG（gdal_translate -of COG）以提高速度</translation>
    </message>
    <message>
        <source>the raster has no CRS</source>
        <translation>栅格没有坐标系</translation>
    </message>
    <message>
        <source>{n} bands: the first is taken as heights</source>
        <translation>{n} 个波段：以第一个波段作为高程</translation>
    </message>
    <message>
        <source>classify: no layer named {name!r}</source>
        <translation>classify：没有名为 {name!r} 的图层</translation>
    </message>
    <message>
        <source>classify: footprint lookup is not available in this build</source>
        <translation>classify：此版本没有基底查找（单体化）功能</translation>
    </message>
    <message>
        <source>bad {what} JSON ({detail})</source>
        <translation>{what} JSON 有误（{detail}）</translation>
    </message>
    <message>
        <source>{name} runs past the binary body</source>
        <translation>{name} 超出了二进制数据体</translation>
    </message>
    <message>
        <source>not a {magic} tile (wrong or truncated header)</source>
        <translation>不是 {magic} 瓦片（文件头错误或被截断）</translation>
    </message>
    <message>
        <source>truncated: the header says {n} bytes, the file has {m}</source>
        <translation>文件被截断：文件头声明 {n} 字节，实际只有 {m} 字节</translation>
    </message>
    <message>
        <source>legacy b3dm header is not supported</source>
        <translation>不支持旧版 b3dm 文件头</translation>
    </message>
    <message>
        <source>truncated b3dm body</source>
        <translation>b3dm 数据体被截断</translation>
    </message>
    <message>
        <source>pnts tile without positions</source>
        <translation>pnts 瓦片没有点坐标</translation>
    </message>
    <message>
        <source>i3dm tile without positions</source>
        <translation>i3dm 瓦片没有实例坐标</translation>
    </message>
    <message>
        <source>truncated cmpt tile</source>
        <translation>cmpt 瓦片被截断</translation>
    </message>
    <message>
        <source>cmpt tiles nested too deep</source>
        <translation>cmpt 瓦片嵌套过深</translation>
    </message>
    <message>
        <source>empty tile content</source>
        <translation>瓦片内容为空</translation>
    </message>
    <message>
        <source>unknown tile content (magic {magic!r})</source>
        <translation>未知的瓦片内容（标识 {magic!r}）</translation>
    </message>
    <message>
        <source>cannot decode ({detail})</source>
        <translation>无法解码（{detail}）</translation>
    </message>
    <message>
        <source>cannot read ({detail})</source>
        <translation>无法读取（{detail}）</translation>
    </message>
    <message>
        <source>{url}: HTTP {status} {reason}</source>
        <translation>{url}：HTTP 错误 {status} {reason}</translation>
    </message>
    <message>
        <source>{url}: unreachable ({reason})</source>
        <translation>{url}：无法访问（{reason}）</translation>
    </message>
    <message>
        <source>not a valid glTF ({detail})</source>
        <translation>不是有效的 glTF（{detail}）</translation>
    </message>
    <message>
        <source>uses {ext} ({what}), which this viewer cannot draw; the rest draws</source>
        <translation>使用了本程序无法绘制的 {ext}（{what}）；其余部分照常绘制</translation>
    </message>
    <message>
        <source>bad glTF: {what}</source>
        <translation>glTF 有误：{what}</translation>
    </message>
    <message>
        <source>a texture only in an extension format; drawn without it</source>
        <translation>纹理仅以扩展格式提供；不带纹理绘制</translation>
    </message>
    <message>
        <source>a texture cannot be read ({detail}); drawn without it</source>
        <translation>无法读取纹理（{detail}）；不带纹理绘制</translation>
    </message>
    <message>
        <source>property {name!r} cannot be read ({detail})</source>
        <translation>无法读取属性 {name!r}（{detail}）</translation>
    </message>
    <message>
        <source>feature IDs in a texture are not read</source>
        <translation>不读取存放在纹理中的要素 ID</translation>
    </message>
    <message>
        <source>subtree: {what} availability missing</source>
        <translation>子树：缺少 {what} 可用性</translation>
    </message>
    <message>
        <source>subtree: {what} availability names no buffer view</source>
        <translation>子树：{what} 可用性未指向任何缓冲视图</translation>
    </message>
    <message>
        <source>not a valid subtree file ({detail})</source>
        <translation>不是有效的子树文件（{detail}）</translation>
    </message>
    <message>
        <source>implicit tiling: {detail}</source>
        <translation>隐式分块：{detail}</translation>
    </message>
    <message>
        <source>root tile: bad bounding volume ({detail})</source>
        <translation>根瓦片：包围体有误（{detail}）</translation>
    </message>
    <message>
        <source>budget_mb and max_sse must be positive</source>
        <translation>budget_mb 和 max_sse 必须为正数</translation>
    </message>
    <message>
        <source>tile {key}: bad tile ({detail})</source>
        <translation>瓦片 {key}：瓦片有误（{detail}）</translation>
    </message>
    <message>
        <source>external tilesets form a cycle ({chain})</source>
        <translation>外部瓦片集形成循环引用（{chain}）</translation>
    </message>
    <message>
        <source>not a valid tileset.json ({detail})</source>
        <translation>不是有效的 tileset.json（{detail}）</translation>
    </message>
    <message>
        <source>not a tileset: no root tile</source>
        <translation>不是瓦片集：没有根瓦片</translation>
    </message>
    <message>
        <source>3D Tiles version {version} is not supported</source>
        <translation>不支持 3D Tiles 版本 {version}</translation>
    </message>
    <message>
        <source>the scene has no layer named {name!r} (--layer)</source>
        <translation>场景中没有名为 {name!r} 的图层（--layer）</translation>
    </message>
    <message>
        <source>is neither UTF-8 nor GBK text</source>
        <translation>既不是 UTF-8 也不是 GBK 文本</translation>
    </message>
    <message>
        <source>a sweep sheet must be .xlsx or .csv</source>
        <translation>排查表必须是 .xlsx 或 .csv</translation>
    </message>
    <message>
        <source>cannot read the sheet: {detail}</source>
        <translation>无法读取表格：{detail}</translation>
    </message>
    <message>
        <source>has {n} rows; at most {max} are read</source>
        <translation>有 {n} 行；最多读取 {max} 行</translation>
    </message>
    <message>
        <source>the scene has no sensors layer {name!r}</source>
        <translation>场景中没有传感器图层 {name!r}</translation>
    </message>
    <message>
        <source>sensors layer {name!r} has no 编号 column</source>
        <translation>传感器图层 {name!r} 没有 编号 列</translation>
    </message>
    <message>
        <source>no broker: give --broker or [live] broker in the scene file</source>
        <translation>没有消息代理：请用 --broker 或在场景文件的 [live] broker 中指定</translation>
    </message>
    <message>
        <source>a PostGIS layer needs its table (table = ...)</source>
        <translation>PostGIS 图层需要指明数据表（table = ...）</translation>
    </message>
</context>
<context>
    <name>LoadWorker</name>
    <message>
        <source>Loading failed unexpectedly ({type}): {error}</source>
        <translation>加载意外失败（{type}）：{error}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>属性详情</translation>
    </message>
    <message>
        <source>Attribute table</source>
        <translation>属性表</translation>
    </message>
    <message>
        <source>&lt;opened&gt;</source>
        <translation>&lt;打开时&gt;</translation>
    </message>
    <message>
        <source>Undo history</source>
        <translation>撤销记录</translation>
    </message>
    <message>
        <source>Scanned feature: {props}</source>
        <translation>扫描要素：{props}</translation>
    </message>
    <message>
        <source>No streamed tiles layer</source>
        <translation>没有流式瓦片图层</translation>
    </message>
    <message>
        <source>Tile memory budget</source>
        <translation>瓦片内存预算</translation>
    </message>
    <message>
        <source>Megabytes the decoded tiles may hold:</source>
        <translation>解码后的瓦片最多可占用的内存（MB）：</translation>
    </message>
    <message>
        <source>Loading tiles: {n}</source>
        <translation>正在加载瓦片：{n}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;demo scene</source>
        <translation>打开示例场景(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Save edits</source>
        <translation>保存修改(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;image…</source>
        <translation>保存图片(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Set field for selection…</source>
        <translation>批量设置所选对象字段…</translation>
    </message>
    <message>
        <source>&amp;Delete selected objects</source>
        <translation>删除所选对象(&amp;D)</translation>
    </message>
    <message>
        <source>Add &amp;object</source>
        <translation>添加对象(&amp;O)</translation>
    </message>
    <message>
        <source>Add a point object: click the ground in the 3D view (current table layer)</source>
        <translation>添加点状对象：在三维视图中点击地面（添加到属性表当前图层）</translation>
    </message>
    <message>
        <source>&amp;Move object</source>
        <translation>移动对象(&amp;M)</translation>
    </message>
    <message>
        <source>Move the selected point object: click its new place on the ground</source>
        <translation>移动所选点状对象：在地面上点击新位置</translation>
    </message>
    <message>
        <source>Select &amp;none</source>
        <translation>取消选择(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Layer</source>
        <translation>图层(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Add field…</source>
        <translation>添加字段(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Rename field…</source>
        <translation>重命名字段(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Delete field…</source>
        <translation>删除字段(&amp;D)…</translation>
    </message>
    <message>
        <source>Editing</source>
        <translation>编辑工具</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Zoom to selection</source>
        <translation>缩放到所选对象(&amp;Z)</translation>
    </message>
    <message>
        <source>&amp;Full extent</source>
        <translation>全图显示(&amp;F)</translation>
    </message>
    <message>
        <source>Tile memory &amp;budget…</source>
        <translation>瓦片内存预算(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About twinviewer</source>
        <translation>关于 twinviewer(&amp;A)</translation>
    </message>
    <message>
        <source>Open scene or data</source>
        <translation>打开场景或数据</translation>
    </message>
    <message>
        <source>Scenes and data ({patterns});;All files (*)</source>
        <translation>场景和数据 ({patterns});;所有文件 (*)</translation>
    </message>
    <message>
        <source>Still loading; wait or cancel first.</source>
        <translation>仍在加载中，请稍候或先取消。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Loading {what}…</source>
        <translation>正在加载 {what}…</translation>
    </message>
    <message>
        <source>Loaded {n} objects in {k} layers</source>
        <translation>已加载 {k} 个图层，共 {n} 个对象</translation>
    </message>
    <message>
        <source>Loading cancelled.</source>
        <translation>已取消加载。</translation>
    </message>
    <message>
        <source>local</source>
        <translation>局部坐标</translation>
    </message>
    <message>
        <source>Ground {z} m</source>
        <translation>地面 {z} 米</translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation>未选中任何对象</translation>
    </message>
    <message>
        <source>Save image</source>
        <translation>保存图片</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Resolution, as a multiple of the view ({w} x {h}):</source>
        <translation>分辨率（视图 {w} x {h} 的倍数）：</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>{n} objects</source>
        <translation>{n} 个对象</translation>
    </message>
    <message>
        <source>{n} selected</source>
        <translation>已选 {n} 个</translation>
    </message>
    <message>
        <source>Not changed: {why}</source>
        <translation>未修改：{why}</translation>
    </message>
    <message>
        <source>Unsaved edits</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>There are unsaved edits. Save them before closing?</source>
        <translation>有尚未保存的修改，关闭前是否保存？</translation>
    </message>
    <message>
        <source>Restore unsaved edits</source>
        <translation>恢复未保存的修改</translation>
    </message>
    <message>
        <source>twinviewer was not closed properly; {n} unsaved edits of this scene were kept ({when}). Restore them?</source>
        <translation>twinviewer 上次未正常关闭，本场景保留了 {n} 处未保存的修改（{when}）。是否恢复？</translation>
    </message>
    <message>
        <source>Not restored: {p}</source>
        <translation>未能恢复：{p}</translation>
    </message>
    <message>
        <source>Restored {n} unsaved edits</source>
        <translation>已恢复 {n} 处未保存的修改</translation>
    </message>
    <message>
        <source>Select the objects to change first.</source>
        <translation>请先选择要修改的对象。</translation>
    </message>
    <message>
        <source>Set {field} of {n} objects</source>
        <translation>设置 {n} 个对象的 {field}</translation>
    </message>
    <message>
        <source>Add field {f}</source>
        <translation>添加字段 {f}</translation>
    </message>
    <message>
        <source>Rename field {f} to {g}</source>
        <translation>将字段 {f} 重命名为 {g}</translation>
    </message>
    <message>
        <source>Delete field</source>
        <translation>删除字段</translation>
    </message>
    <message>
        <source>Field:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>Delete field {f} of all objects? (Undo brings it back.)</source>
        <translation>删除所有对象的字段 {f}？（可撤销恢复。）</translation>
    </message>
    <message>
        <source>Delete field {f}</source>
        <translation>删除字段 {f}</translation>
    </message>
    <message>
        <source>Delete {n} objects</source>
        <translation>删除 {n} 个对象</translation>
    </message>
    <message>
        <source>Click the ground to place a new object in the table&apos;s layer</source>
        <translation>点击地面，在属性表当前图层中放置新对象</translation>
    </message>
    <message>
        <source>Click the ground where the selected object should stand</source>
        <translation>点击地面上所选对象的新位置</translation>
    </message>
    <message>
        <source>Select one point object to move.</source>
        <translation>请选择一个要移动的点状对象。</translation>
    </message>
    <message>
        <source>Move object {oid}</source>
        <translation>移动对象 {oid}</translation>
    </message>
    <message>
        <source>Add object</source>
        <translation>添加对象</translation>
    </message>
    <message>
        <source>Class of the new object in {layer}:</source>
        <translation>{layer} 中新对象的类别：</translation>
    </message>
    <message>
        <source>Show a point layer (e.g. street furniture) in the table to add objects to it.</source>
        <translation>请先在属性表中显示一个点图层（如城市家具），再向其中添加对象。</translation>
    </message>
    <message>
        <source>Add {what}</source>
        <translation>添加{what}</translation>
    </message>
    <message>
        <source>object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The interface language changes the next time twinviewer starts.</source>
        <translation>界面语言将在下次启动 twinviewer 时生效。</translation>
    </message>
    <message>
        <source>About twinviewer</source>
        <translation>关于 twinviewer</translation>
    </message>
    <message>
        <source>twinviewer {v}
A 3D digital-twin viewer for sub-district planners.</source>
        <translation>twinviewer {v}
面向街道规划人员的三维数字孪生浏览器。</translation>
    </message>
</context>
<context>
    <name>MeasurePanel</name>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Line length</source>
        <translation>线长</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>面积</translation>
    </message>
    <message>
        <source>Object height</source>
        <translation>对象高度</translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation>坐标</translation>
    </message>
    <message>
        <source>Line of sight</source>
        <translation>通视分析</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ObjectTableModel</name>
    <message>
        <source>Unsaved edits</source>
        <translation>未保存的修改</translation>
    </message>
</context>
<context>
    <name>PlanningTools</name>
    <message>
        <source>Measurements</source>
        <translation>量测结果</translation>
    </message>
    <message>
        <source>A&amp;nalysis</source>
        <translation>分析(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Measure</source>
        <translation>量测(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Sunlight hours…</source>
        <translation>日照分析(&amp;S)…</translation>
    </message>
    <message>
        <source>Camera &amp;coverage</source>
        <translation>监控覆盖(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Height limit…</source>
        <translation>控高分析(&amp;H)…</translation>
    </message>
    <message>
        <source>Se&amp;ction plane</source>
        <translation>剖切面(&amp;C)</translation>
    </message>
    <message>
        <source>No camera layer with view cones in this scene.</source>
        <translation>场景中没有带视域锥的摄像头图层。</translation>
    </message>
    <message>
        <source>Cameras see {a:,.0f} m²; {k} road pieces are seen by none.</source>
        <translation>摄像头可见地面 {a:,.0f} m²；有 {k} 段道路无任何摄像头覆盖。</translation>
    </message>
    <message>
        <source>The results are shown but not saved: {error}</source>
        <translation>结果已显示，但未保存：{error}</translation>
    </message>
    <message>
        <source>The result columns are shown but not saved: the layers are not in a store (import them first).</source>
        <translation>结果字段已显示，但未保存：这些图层不在数据库中（请先导入）。</translation>
    </message>
    <message>
        <source>The result columns are saved with the other pending edits (File &gt; Save).</source>
        <translation>结果字段将与其他未保存的编辑一起保存（文件 &gt; 保存）。</translation>
    </message>
    <message>
        <source>Height limit</source>
        <translation>控高</translation>
    </message>
    <message>
        <source>Limit above the ground (m):</source>
        <translation>离地限高（米）：</translation>
    </message>
    <message>
        <source>{n} objects rise above {h:g} m.</source>
        <translation>有 {n} 个对象超过 {h:g} 米。</translation>
    </message>
</context>
<context>
    <name>PresentingTools</name>
    <message>
        <source>Bookmarks</source>
        <translation>书签</translation>
    </message>
    <message>
        <source>&amp;Present</source>
        <translation>演示(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Present walkthrough</source>
        <translation>播放漫游(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Bookmark this view…</source>
        <translation>将此视角存为书签(&amp;B)…</translation>
    </message>
    <message>
        <source>Export walkthrough &amp;video…</source>
        <translation>导出漫游视频(&amp;V)…</translation>
    </message>
    <message>
        <source>&amp;Walk mode</source>
        <translation>漫游模式(&amp;W)</translation>
    </message>
    <message>
        <source>Walk at eye height: W/A/S/D or arrows to move, drag to look, PageUp/PageDown to fly, Esc to leave</source>
        <translation>以人眼高度漫游：W/A/S/D 或方向键移动，拖动鼠标环视，PageUp/PageDown 升降，Esc 退出</translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation>导航</translation>
    </message>
    <message>
        <source>This scene has no walkthrough path ([[paths]] in the scene file).</source>
        <translation>本场景没有漫游路径（场景文件中的 [[paths]]）。</translation>
    </message>
    <message>
        <source>Walkthrough</source>
        <translation>漫游</translation>
    </message>
    <message>
        <source>Path:</source>
        <translation>路径：</translation>
    </message>
    <message>
        <source>Export video</source>
        <translation>导出视频</translation>
    </message>
    <message>
        <source>MP4 video (*.mp4)</source>
        <translation>MP4 视频 (*.mp4)</translation>
    </message>
    <message>
        <source>Rendering {name}…</source>
        <translation>正在渲染 {name}…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Video export cancelled</source>
        <translation>已取消导出视频</translation>
    </message>
    <message>
        <source>Video not written: {why}</source>
        <translation>视频未能写入：{why}</translation>
    </message>
    <message>
        <source>Wrote {f}</source>
        <translation>已写入 {f}</translation>
    </message>
</context>
<context>
    <name>PrivacyError</name>
    <message>
        <source>say why the sensitive fields are needed (purpose)</source>
        <translation>请说明查看敏感字段的用途</translation>
    </message>
    <message>
        <source>field {field} of layer {layer} is not sensitive</source>
        <translation>图层 {layer} 的字段 {field} 不是敏感字段</translation>
    </message>
    <message>
        <source>layer {layer} has no sensitive fields</source>
        <translation>图层 {layer} 没有敏感字段</translation>
    </message>
</context>
<context>
    <name>PrivacyTools</name>
    <message>
        <source>Show sensitive fields…</source>
        <translation>显示敏感字段…</translation>
    </message>
    <message>
        <source>Show names, ID numbers and phone numbers unmasked; asks for a purpose and logs who looked, when and why</source>
        <translation>不加掩码地显示姓名、身份证号和电话号码；需填写用途，并记录查看人、时间和原因</translation>
    </message>
    <message>
        <source>Sensitive fields shown</source>
        <translation>敏感字段已显示</translation>
    </message>
    <message>
        <source>Show sensitive fields</source>
        <translation>显示敏感字段</translation>
    </message>
    <message>
        <source>Sensitive fields: {fields}
Each unmasking is logged with your name, the time and its purpose.
Purpose:</source>
        <translation>敏感字段：{fields}
每次取消掩码都会记录您的姓名、时间和用途。
用途：</translation>
    </message>
    <message>
        <source>No layer has sensitive fields</source>
        <translation>没有图层包含敏感字段</translation>
    </message>
    <message>
        <source>Sensitive fields stay masked: a purpose is required</source>
        <translation>敏感字段仍保持掩码：必须填写用途</translation>
    </message>
    <message>
        <source>Sensitive fields stay masked: {e}</source>
        <translation>敏感字段仍保持掩码：{e}</translation>
    </message>
    <message>
        <source>Sensitive fields shown; the access was logged</source>
        <translation>敏感字段已显示；本次访问已记录</translation>
    </message>
</context>
<context>
    <name>QueryBar</name>
    <message>
        <source>Filter, e.g. 人口 &gt; 100 and 类别 = &apos;住宅楼&apos;</source>
        <translation>筛选条件，例如 人口 &gt; 100 and 类别 = &apos;住宅楼&apos;</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Show only the objects matching the expression and dim the others in 3D (Enter)</source>
        <translation>只显示符合条件的对象，三维视图中其余对象变暗（回车）</translation>
    </message>
    <message>
        <source>Select matching</source>
        <translation>选中符合条件的对象</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Keep this expression as a named filter in the scene file (the summary lists its matches)</source>
        <translation>将此表达式作为命名筛选条件保存到场景文件中（汇总面板会列出匹配的对象）</translation>
    </message>
    <message>
        <source>field &apos;{field}&apos; is sensitive: View &gt; Show sensitive fields… first</source>
        <translation>字段 &apos;{field}&apos; 为敏感字段：请先选择“视图 &gt; 显示敏感字段…”</translation>
    </message>
    <message>
        <source>Column {col}: {msg}    {marked}</source>
        <translation>第 {col} 列：{msg}    {marked}</translation>
    </message>
</context>
<context>
    <name>QueryError</name>
    <message>
        <source>{message} (at column {column})</source>
        <translation>{message}（第 {column} 列）</translation>
    </message>
    <message>
        <source>unterminated text {quote}…</source>
        <translation>文本缺少结尾的 {quote}…</translation>
    </message>
    <message>
        <source>unterminated name {quote}…</source>
        <translation>名称缺少结尾的 {quote}…</translation>
    </message>
    <message>
        <source>unexpected character {char}</source>
        <translation>意外的字符 {char}</translation>
    </message>
    <message>
        <source>empty expression</source>
        <translation>表达式为空</translation>
    </message>
    <message>
        <source>&apos;)&apos; without &apos;(&apos;</source>
        <translation>“)”没有对应的“(”</translation>
    </message>
    <message>
        <source>&apos;(&apos; is never closed</source>
        <translation>“(”没有闭合</translation>
    </message>
    <message>
        <source>unknown field &apos;{name}&apos; (did you mean &apos;{near}&apos;?)</source>
        <translation>未知字段“{name}”（是否指“{near}”？）</translation>
    </message>
    <message>
        <source>unknown field &apos;{name}&apos; (text values need quotes: &apos;{name}&apos;)</source>
        <translation>未知字段“{name}”（文本值需要加单引号：&apos;{name}&apos;）</translation>
    </message>
    <message>
        <source>syntax error near &apos;{token}&apos;</source>
        <translation>“{token}”附近有语法错误</translation>
    </message>
    <message>
        <source>only comparisons and functions of fields are allowed</source>
        <translation>只允许对字段进行比较和使用函数</translation>
    </message>
    <message>
        <source>unknown function {name}()</source>
        <translation>未知函数 {name}()</translation>
    </message>
    <message>
        <source>wrong number of arguments to {name}()</source>
        <translation>函数 {name}() 的参数个数不对</translation>
    </message>
    <message>
        <source>SQLite cannot evaluate it: {detail}</source>
        <translation>SQLite 无法计算该表达式：{detail}</translation>
    </message>
    <message>
        <source>the expression ends too early</source>
        <translation>表达式不完整</translation>
    </message>
    <message>
        <source>not a WKT polygon ({detail})</source>
        <translation>不是 WKT 多边形（{detail}）</translation>
    </message>
    <message>
        <source>the WKT polygon is empty</source>
        <translation>WKT 多边形为空</translation>
    </message>
    <message>
        <source>the WKT is a {type}, not a Polygon or MultiPolygon</source>
        <translation>WKT 是 {type}，不是 Polygon 或 MultiPolygon</translation>
    </message>
    <message>
        <source>the WKT polygon has no area</source>
        <translation>WKT 多边形面积为零</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>no layer {name} (layers: {names})</source>
        <translation>没有图层 {name}（现有图层：{names}）</translation>
    </message>
    <message>
        <source>layer {layer} has no object with oid {oid}</source>
        <translation>图层 {layer} 没有 oid 为 {oid} 的对象</translation>
    </message>
    <message>
        <source>--within {spec}: write LAYER:OID, e.g. 小区:3</source>
        <translation>--within {spec}：请写成 图层:OID，例如 小区:3</translation>
    </message>
    <message>
        <source>object {oid} of layer {layer} has no area (a point or a line); use --within-wkt</source>
        <translation>图层 {layer} 的对象 {oid} 没有面积（是点或线）；请使用 --within-wkt</translation>
    </message>
    <message>
        <source>the scene has no layers</source>
        <translation>场景中没有图层</translation>
    </message>
</context>
<context>
    <name>RecordModel</name>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>RenameFieldDialog</name>
    <message>
        <source>Rename field</source>
        <translation>重命名字段</translation>
    </message>
    <message>
        <source>Field:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
</context>
<context>
    <name>SetFieldDialog</name>
    <message>
        <source>Set field for {n} objects</source>
        <translation>为 {n} 个对象设置字段</translation>
    </message>
    <message>
        <source>Field:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>Value:</source>
        <translation>值：</translation>
    </message>
</context>
<context>
    <name>StoreError</name>
    <message>
        <source>line {line}</source>
        <translation>第 {line} 行</translation>
    </message>
    <message>
        <source>, field {field}</source>
        <translation>，字段 {field}</translation>
    </message>
    <message>
        <source>layer {layer!r}: table {table!r} has no field {field!r}</source>
        <translation>图层 {layer!r}：表 {table!r} 没有字段 {field!r}</translation>
    </message>
    <message>
        <source>the GeoPackage is locked by another program (waited {seconds:g} s); nothing was written and pending edits are kept: try again</source>
        <translation>GeoPackage 被其他程序锁定（已等待 {seconds:g} 秒）；未写入任何内容，待保存的编辑已保留：请重试</translation>
    </message>
    <message>
        <source>the disk is full; nothing was written and pending edits are kept</source>
        <translation>磁盘已满；未写入任何内容，待保存的编辑已保留</translation>
    </message>
    <message>
        <source>the file is read-only; nothing was written and pending edits are kept</source>
        <translation>文件为只读；未写入任何内容，待保存的编辑已保留</translation>
    </message>
    <message>
        <source>not a usable GeoPackage ({detail})</source>
        <translation>不是可用的 GeoPackage（{detail}）</translation>
    </message>
    <message>
        <source>disk I/O error ({detail}); nothing was written and pending edits are kept</source>
        <translation>磁盘读写错误（{detail}）；未写入任何内容，待保存的编辑已保留</translation>
    </message>
    <message>
        <source>the folder is read-only (SQLite writes its journal beside the file); nothing was written and pending edits are kept</source>
        <translation>文件夹为只读（SQLite 需要在文件旁写入日志）；未写入任何内容，待保存的编辑已保留</translation>
    </message>
    <message>
        <source>file not found</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <source>the store is busy (another program is writing it); try again</source>
        <extracomment>where the cases live, for messages (a path or a password-less URL)</extracomment>
        <translation>存储正忙（另一个程序正在写入），请重试</translation>
    </message>
    <message>
        <source>not a GeoPackage (not an SQLite file)</source>
        <translation>不是 GeoPackage（不是 SQLite 文件）</translation>
    </message>
    <message>
        <source>is not a file</source>
        <translation>不是文件</translation>
    </message>
    <message>
        <source>no open alert {aid}</source>
        <translation>没有未关闭的告警 {aid}</translation>
    </message>
    <message>
        <source>not a GeoPackage (it has no gpkg_contents table)</source>
        <translation>不是 GeoPackage（没有 gpkg_contents 表）</translation>
    </message>
    <message>
        <source>has no layer {layer!r} (layers: {layers})</source>
        <translation>没有图层 {layer!r}（现有图层：{layers}）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>table {table!r} has no single integer primary key</source>
        <translation>表 {table!r} 没有单一的整数主键</translation>
    </message>
    <message>
        <source>the spreadsheet is empty</source>
        <translation>表格为空</translation>
    </message>
    <message>
        <source>the first row must name the columns: layer, oid, then the fields to set (found {found})</source>
        <translation>第一行必须是列名：layer、oid，然后是要修改的字段（实际为 {found}）</translation>
    </message>
    <message>
        <source>a column has no name in the first row</source>
        <translation>第一行中有一列没有名称</translation>
    </message>
    <message>
        <source>column {column!r} appears twice</source>
        <translation>列 {column!r} 出现了两次</translation>
    </message>
    <message>
        <source>more cells than the first row has columns</source>
        <translation>单元格数多于第一行的列数</translation>
    </message>
    <message>
        <source>no layer {layer!r} in the store</source>
        <translation>数据库中没有图层 {layer!r}</translation>
    </message>
    <message>
        <source>the layer cell is empty</source>
        <translation>图层单元格为空</translation>
    </message>
    <message>
        <source>oid {oid!r} is not a whole number</source>
        <translation>oid {oid!r} 不是整数</translation>
    </message>
    <message>
        <source>the oid cell is empty</source>
        <translation>oid 单元格为空</translation>
    </message>
    <message>
        <source>no object with oid {oid} in layer {layer!r}</source>
        <translation>图层 {layer!r} 中没有 oid 为 {oid} 的对象</translation>
    </message>
    <message>
        <source>layer {layer!r} has no field {field!r}</source>
        <translation>图层 {layer!r} 没有字段 {field!r}</translation>
    </message>
    <message>
        <source>layer {layer!r} comes from {source}, not from this GeoPackage</source>
        <translation>图层 {layer!r} 来自 {source}，而不是此 GeoPackage</translation>
    </message>
    <message>
        <source>layer {layer!r} has no table in this GeoPackage (tables: {tables})</source>
        <translation>图层 {layer!r} 在此 GeoPackage 中没有对应的表（现有表：{tables}）</translation>
    </message>
    <message>
        <source>the points fall outside its area</source>
        <translation>这些点超出了该坐标系的适用范围</translation>
    </message>
    <message>
        <source>table {table!r}: the scene&apos;s coordinates cannot be converted to the table&apos;s coordinate system ({detail}); nothing was written and pending edits are kept</source>
        <translation>表 {table!r}：场景坐标无法转换到该表的坐标系（{detail}）；未写入任何内容，待保存的编辑已保留</translation>
    </message>
    <message>
        <source>layer {layer!r}: object id {oid!r} is not an oid of this GeoPackage</source>
        <translation>图层 {layer!r}：对象 id {oid!r} 不是此 GeoPackage 中的 oid</translation>
    </message>
    <message>
        <source>layer {layer!r}: unknown oid {oid}; nothing was written</source>
        <translation>图层 {layer!r}：未知的 oid {oid}；未写入任何内容</translation>
    </message>
    <message>
        <source>layer {layer!r} already has a field {field!r}</source>
        <translation>图层 {layer!r} 已有字段 {field!r}</translation>
    </message>
    <message>
        <source>layer {layer!r}: table has no field {field!r}</source>
        <translation>图层 {layer!r}：表中没有字段 {field!r}</translation>
    </message>
    <message>
        <source>layer {layer!r} already has an object {oid}; nothing was written</source>
        <translation>图层 {layer!r} 已有对象 {oid}；未写入任何内容</translation>
    </message>
    <message>
        <source>layer {layer!r} holds {type} geometries; a point object cannot be stored in it</source>
        <translation>图层 {layer!r} 存放的是 {type} 几何；不能在其中保存点对象</translation>
    </message>
    <message>
        <source>no</source>
        <translation>无</translation>
    </message>
    <message>
        <source>cannot read the file ({detail})</source>
        <translation>无法读取文件（{detail}）</translation>
    </message>
    <message>
        <source>not UTF-8 text after its BOM ({reason} at byte {byte})</source>
        <translation>BOM 之后的文本不是 UTF-8（{reason}，位于第 {byte} 字节）</translation>
    </message>
    <message>
        <source>the text is neither UTF-8 nor GBK/GB18030; save the spreadsheet as CSV UTF-8</source>
        <translation>文本既不是 UTF-8 也不是 GBK/GB18030；请将表格另存为“CSV UTF-8”</translation>
    </message>
    <message>
        <source>the store must be a .gpkg file</source>
        <translation>数据库必须是 .gpkg 文件</translation>
    </message>
    <message>
        <source>nothing to import</source>
        <translation>没有可导入的内容</translation>
    </message>
    <message>
        <source>cannot import a GeoPackage into itself</source>
        <translation>不能将 GeoPackage 导入到其自身</translation>
    </message>
    <message>
        <source>--table applies to multi-layer vector files, not CityJSON</source>
        <translation>--table 仅适用于多图层矢量文件，不适用于 CityJSON</translation>
    </message>
    <message>
        <source>a {kind} file cannot be imported into a GeoPackage (vector and CityJSON files can)</source>
        <translation>{kind} 文件不能导入 GeoPackage（矢量和 CityJSON 文件可以）</translation>
    </message>
    <message>
        <source>--layer names one table, but {n} would be imported; import them one at a time or pick one with --table</source>
        <translation>--layer 只能指定一个表，但将导入 {n} 个；请逐个导入，或用 --table 选择其中一个</translation>
    </message>
    <message>
        <source>two sources would both become table {table!r}; import one with --layer NAME</source>
        <translation>两个数据源都会成为表 {table!r}；请用 --layer 名称 导入其中一个</translation>
    </message>
    <message>
        <source>{table!r} is a reserved table name; use --layer NAME</source>
        <translation>{table!r} 是保留的表名；请使用 --layer 名称</translation>
    </message>
    <message>
        <source>already has a layer {layer!r}; use --layer NAME to import under another name, or --replace</source>
        <translation>已有图层 {layer!r}；请用 --layer 名称 以其他名称导入，或使用 --replace</translation>
    </message>
    <message>
        <source>cannot write table {table!r} ({detail})</source>
        <translation>无法写入表 {table!r}（{detail}）</translation>
    </message>
    <message>
        <source>cannot read layer {layer!r} ({detail})</source>
        <translation>无法读取图层 {layer!r}（{detail}）</translation>
    </message>
    <message>
        <source>feature ids are missing or not unique: objects numbered 1..n</source>
        <translation>要素 id 缺失或不唯一：对象已按 1..n 编号</translation>
    </message>
    <message>
        <source>the recovery journal is damaged ({detail})</source>
        <translation>恢复日志已损坏（{detail}）</translation>
    </message>
    <message>
        <source>not a twinviewer recovery journal</source>
        <translation>不是 twinviewer 恢复日志</translation>
    </message>
    <message>
        <source>journal version {version} is newer than this twinviewer</source>
        <translation>日志版本 {version} 高于当前 twinviewer 支持的版本</translation>
    </message>
    <message>
        <source>the recovery journal is incomplete</source>
        <translation>恢复日志不完整</translation>
    </message>
    <message>
        <source>step {k} ({label}): {problem}</source>
        <translation>第 {k} 步（{label}）：{problem}</translation>
    </message>
    <message>
        <source>cannot write the access log ({detail}); the sensitive fields stay masked</source>
        <translation>无法写入访问日志（{detail}）；敏感字段仍保持掩码</translation>
    </message>
    <message>
        <source>PostgreSQL server programs (initdb, pg_ctl) not found; install Debian&apos;s postgresql package or set TWINVIEWER_PG_BIN</source>
        <translation>找不到 PostgreSQL 服务器程序（initdb、pg_ctl）；请安装 Debian 的 postgresql 软件包，或设置 TWINVIEWER_PG_BIN</translation>
    </message>
    <message>
        <source>{program} failed: {detail}</source>
        <translation>{program} 执行失败：{detail}</translation>
    </message>
    <message>
        <source>publish a scene file (.toml) or a GeoPackage (.gpkg)</source>
        <translation>请发布场景文件（.toml）或 GeoPackage（.gpkg）</translation>
    </message>
    <message>
        <source>the scene has no GeoPackage layers to publish (import them first: twinviewer import ... --into DISTRICT.gpkg)</source>
        <translation>场景中没有可发布的 GeoPackage 图层（请先导入：twinviewer import ... --into DISTRICT.gpkg）</translation>
    </message>
    <message>
        <source>the connection string holds a password: keep it in ~/.pgpass, PGPASSFILE, PGPASSWORD or a service file instead</source>
        <translation>连接字符串中包含密码：请改为保存在 ~/.pgpass、PGPASSFILE、PGPASSWORD 或服务文件中</translation>
    </message>
    <message>
        <source>two GeoPackages both have a layer {layer!r}</source>
        <translation>两个 GeoPackage 中都有图层 {layer!r}</translation>
    </message>
    <message>
        <source>the PostGIS extension is missing or cannot be created (install postgresql-15-postgis-3 on the server, or ask an administrator to run CREATE EXTENSION postgis) ({detail})</source>
        <translation>缺少 PostGIS 扩展或无法创建（请在服务器上安装 postgresql-15-postgis-3，或请管理员执行 CREATE EXTENSION postgis）（{detail}）</translation>
    </message>
    <message>
        <source>already has a layer {layer!r} (publish with --replace to overwrite it)</source>
        <translation>已有图层 {layer!r}（使用 --replace 发布可覆盖）</translation>
    </message>
    <message>
        <source>cannot write the scene file ({detail})</source>
        <translation>无法写入场景文件（{detail}）</translation>
    </message>
    <message>
        <source>permission denied ({detail}); nothing was written</source>
        <translation>权限不足（{detail}）；未写入任何内容</translation>
    </message>
    <message>
        <source>the PostGIS extension is not installed on the server (apt-get install postgresql-15-postgis-3)</source>
        <translation>服务器上未安装 PostGIS 扩展（apt-get install postgresql-15-postgis-3）</translation>
    </message>
    <message>
        <source>login refused: wrong or missing password (put it in ~/.pgpass or PGPASSFILE, PGPASSWORD, or a service file)</source>
        <translation>登录被拒绝：密码错误或缺失（请将密码放在 ~/.pgpass 或 PGPASSFILE、PGPASSWORD 或服务文件中）</translation>
    </message>
    <message>
        <source>no such database on the server</source>
        <translation>服务器上没有该数据库</translation>
    </message>
    <message>
        <source>no such user (role) on the server</source>
        <translation>服务器上没有该用户（角色）</translation>
    </message>
    <message>
        <source>cannot reach the server ({detail}); nothing was written and pending edits are kept: save again when it is back</source>
        <translation>无法连接服务器（{detail}）；未写入任何内容，待保存的编辑已保留：服务器恢复后请再次保存</translation>
    </message>
    <message>
        <source>not a valid connection string ({detail})</source>
        <translation>不是有效的连接字符串（{detail}）</translation>
    </message>
    <message>
        <source>is not a published twin (no twinviewer_layers table; run twinviewer publish SCENE URL)</source>
        <translation>不是已发布的数字孪生（没有 twinviewer_layers 表；请运行 twinviewer publish 场景 URL）</translation>
    </message>
    <message>
        <source>sensitive resident data: readable only by roles granted it</source>
        <translation>居民敏感数据：仅获授权的角色可读取</translation>
    </message>
    <message>
        <source>your database role has no SELECT privilege on this field</source>
        <translation>您的数据库角色没有此字段的 SELECT 权限</translation>
    </message>
    <message>
        <source>applying a spreadsheet to a PostGIS twin is not supported yet: apply it to the GeoPackage and publish again</source>
        <translation>暂不支持将更正表格应用到 PostGIS 孪生库：请应用到 GeoPackage 后重新发布</translation>
    </message>
    <message>
        <source>unknown role {role!r} (roles: {roles})</source>
        <translation>未知的角色 {role!r}（可用角色：{roles}）</translation>
    </message>
    <message>
        <source>changed by someone else (version {version})</source>
        <translation>已被他人修改（版本 {version}）</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <source>added</source>
        <translation>已添加</translation>
    </message>
    <message>
        <source>field name {field!r} is reserved on PostGIS (oid, geom, version)</source>
        <translation>字段名 {field!r} 在 PostGIS 中为保留名称（oid、geom、version）</translation>
    </message>
    <message>
        <source>only an administrator of the twin may add, rename or delete fields ({detail}); nothing was written</source>
        <translation>只有孪生库管理员才能添加、重命名或删除字段（{detail}）；未写入任何内容</translation>
    </message>
    <message>
        <source>unknown case role {role!r} (roles: {roles})</source>
        <translation>未知的案件角色 {role!r}（可用角色：{roles}）</translation>
    </message>
    <message>
        <source>viewer</source>
        <translation>查看者</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>受理员</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>处置单位</translation>
    </message>
    <message>
        <source>checker</source>
        <translation>核查员</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>this twin has no case tables yet: its admin ({admin}) opens its cases once (twinviewer cases SCENE) to create them</source>
        <translation>此孪生库还没有案件表：请其管理员（{admin}）先打开一次案件（twinviewer cases SCENE）以创建</translation>
    </message>
    <message>
        <source>permission denied: {login} does not hold the case role {role}</source>
        <translation>权限不足：{login} 不是{role}</translation>
    </message>
    <message>
        <source>permission denied: only a checker may close a case</source>
        <translation>权限不足：只有核查员可以结案</translation>
    </message>
    <message>
        <source>permission denied: the role {role} may not move a case from {src} to {dst}</source>
        <translation>权限不足：{role}不能把案件从{src}转到{dst}</translation>
    </message>
    <message>
        <source>permission denied: only a checker may decide an extension</source>
        <translation>权限不足：只有核查员可以审批延期</translation>
    </message>
    <message>
        <source>permission denied: {login} holds no case role that may do this (the twin&apos;s admin grants case roles)</source>
        <translation>权限不足：{login} 没有可做此事的案件角色（案件角色由孪生库管理员授予）</translation>
    </message>
</context>
<context>
    <name>StyleDialog</name>
    <message>
        <source>Style of {layer}</source>
        <translation>{layer} 的样式</translation>
    </message>
    <message>
        <source>Single colour</source>
        <translation>单一颜色</translation>
    </message>
    <message>
        <source>Categorized (a colour per value)</source>
        <translation>分类（每个取值一种颜色）</translation>
    </message>
    <message>
        <source>Graduated (classes of a number)</source>
        <translation>分级（按数值分段）</translation>
    </message>
    <message>
        <source>Equal interval</source>
        <translation>等间距</translation>
    </message>
    <message>
        <source>Quantile</source>
        <translation>分位数</translation>
    </message>
    <message>
        <source>Natural breaks (Jenks)</source>
        <translation>自然间断点（Jenks）</translation>
    </message>
    <message>
        <source>A field, or an expression such as 名称 || &apos; &apos; || 人口 || &apos;人&apos;</source>
        <translation>字段，或表达式，例如 名称 || &apos; &apos; || 人口 || &apos;人&apos;</translation>
    </message>
    <message>
        <source>(same size)</source>
        <translation>（大小相同）</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Style:</source>
        <translation>样式：</translation>
    </message>
    <message>
        <source>Colour:</source>
        <translation>颜色：</translation>
    </message>
    <message>
        <source>Field:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>Classification:</source>
        <translation>分级方法：</translation>
    </message>
    <message>
        <source>Classes:</source>
        <translation>分级数：</translation>
    </message>
    <message>
        <source>Colour ramp:</source>
        <translation>色带：</translation>
    </message>
    <message>
        <source>Label:</source>
        <translation>标注：</translation>
    </message>
    <message>
        <source>Label size (px):</source>
        <translation>标注字号（像素）：</translation>
    </message>
    <message>
        <source>Size by:</source>
        <translation>大小依据：</translation>
    </message>
    <message>
        <source>Smallest size:</source>
        <translation>最小尺寸：</translation>
    </message>
    <message>
        <source>Largest size:</source>
        <translation>最大尺寸：</translation>
    </message>
    <message>
        <source>View cone heading:</source>
        <translation>视锥朝向：</translation>
    </message>
    <message>
        <source>View cone range (m):</source>
        <translation>视锥距离（米）：</translation>
    </message>
    <message>
        <source>View cone angle (°):</source>
        <translation>视锥角度（°）：</translation>
    </message>
    <message>
        <source>Layer colour</source>
        <translation>图层颜色</translation>
    </message>
    <message>
        <source>Label: {error}</source>
        <translation>标注：{error}</translation>
    </message>
</context>
<context>
    <name>SummaryPanel</name>
    <message>
        <source>The scene file&apos;s saved filters ([[filters]]); save one from the table&apos;s filter bar</source>
        <translation>场景文件中保存的筛选条件（[[filters]]）；可在属性表的筛选栏中保存新的条件</translation>
    </message>
    <message>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <source>Excel…</source>
        <translation>Excel…</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>报告…</translation>
    </message>
    <message>
        <source>Who needs help (saved filter):</source>
        <translation>需要帮扶的对象（已保存的筛选）：</translation>
    </message>
    <message>
        <source>{n} objects selected</source>
        <translation>已选 {n} 个对象</translation>
    </message>
    <message>
        <source>{f}: total {v:,}, mean {m:.1f}</source>
        <translation>{f}：合计 {v:,}，平均 {m:.1f}</translation>
    </message>
    <message>
        <source>Objects by class</source>
        <translation>按类别统计对象</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export Excel</source>
        <translation>导出 Excel</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>保存报告</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;PNG image (*.png)</source>
        <translation>PDF 文件 (*.pdf);;PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>{path}: cannot write the file ({detail})</source>
        <translation>{path}：无法写入文件（{detail}）</translation>
    </message>
</context>
<context>
    <name>SunlightDialog</name>
    <message>
        <source>Sunlight hours</source>
        <translation>日照分析</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Shadow video…</source>
        <translation>阴影视频…</translation>
    </message>
    <message>
        <source>Export the shadows over the chosen day, from this view, as an MP4 video</source>
        <translation>以当前视角将所选日期的阴影变化导出为 MP4 视频</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>标准</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>年份</translation>
    </message>
    <message>
        <source>Buildings</source>
        <translation>建筑</translation>
    </message>
    <message>
        <source>Time step</source>
        <translation>时间步长</translation>
    </message>
    <message>
        <source>Point spacing</source>
        <translation>采样点间距</translation>
    </message>
    <message>
        <source>Buildings below the threshold:</source>
        <translation>未达标建筑：</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Export shadow video</source>
        <translation>导出阴影视频</translation>
    </message>
    <message>
        <source>MP4 video (*.mp4)</source>
        <translation>MP4 视频 (*.mp4)</translation>
    </message>
    <message>
        <source>Rendering the shadows of {day}…</source>
        <translation>正在渲染 {day} 的阴影…</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Video not written: {why}</source>
        <translation>视频未写出：{why}</translation>
    </message>
    <message>
        <source>Wrote {f} ({n} frames)</source>
        <translation>已写出 {f}（{n} 帧）</translation>
    </message>
    <message>
        <source>{n} buildings below {h:g} h on {day}</source>
        <translation>{day} 有 {n} 栋建筑日照不足 {h:g} 小时</translation>
    </message>
</context>
<context>
    <name>TeamEditing</name>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password for {url}
(kept in memory only; put it in ~/.pgpass to avoid this question)</source>
        <translation>{url} 的密码
（仅保存在内存中；写入 ~/.pgpass 后不再询问）</translation>
    </message>
    <message>
        <source>Layer {layer}: fields {fields} are hidden ({why})</source>
        <translation>图层 {layer}：字段 {fields} 已隐藏（{why}）</translation>
    </message>
    <message>
        <source>Reconnected to the team store</source>
        <translation>已重新连接到团队数据库</translation>
    </message>
    <message>
        <source>Another editor added or deleted objects in {layer}: the undo history was cleared</source>
        <translation>其他编辑者在 {layer} 中添加或删除了对象：撤销历史已清空</translation>
    </message>
    <message>
        <source>{n} edits conflict with changes saved by someone else; nothing was saved and your edits are kept.</source>
        <translation>{n} 处编辑与他人已保存的修改冲突；未保存任何内容，您的编辑已保留。</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Unexpected error ({type}): {error}</source>
        <translation>意外错误（{type}）：{error}</translation>
    </message>
</context>
<context>
    <name>argparse</name>
    <message>
        <source>usage: </source>
        <translation>用法：</translation>
    </message>
    <message>
        <source>positional arguments</source>
        <translation>位置参数</translation>
    </message>
    <message>
        <source>options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>show this help message and exit</source>
        <translation>显示此帮助信息并退出</translation>
    </message>
    <message>
        <source>argument %(argument_name)s: %(message)s</source>
        <translation>参数 %(argument_name)s：%(message)s</translation>
    </message>
    <message>
        <source>unrecognized arguments: %s</source>
        <translation>无法识别的参数：%s</translation>
    </message>
    <message>
        <source>the following arguments are required: %s</source>
        <translation>以下参数是必需的：%s</translation>
    </message>
    <message>
        <source>one of the arguments %s is required</source>
        <translation>必须提供参数 %s 之一</translation>
    </message>
    <message>
        <source>not allowed with argument %s</source>
        <translation>不能与参数 %s 同时使用</translation>
    </message>
    <message>
        <source>ignored explicit argument %r</source>
        <translation>已忽略显式参数 %r</translation>
    </message>
    <message>
        <source>expected one argument</source>
        <translation>需要一个参数值</translation>
    </message>
    <message>
        <source>expected at most one argument</source>
        <translation>最多需要一个参数值</translation>
    </message>
    <message>
        <source>expected at least one argument</source>
        <translation>至少需要一个参数值</translation>
    </message>
    <message>
        <source>ambiguous option: %(option)s could match %(matches)s</source>
        <translation>选项有歧义：%(option)s 可能匹配 %(matches)s</translation>
    </message>
    <message>
        <source>unexpected option string: %s</source>
        <translation>意外的选项字符串：%s</translation>
    </message>
    <message>
        <source>invalid %(type)s value: %(value)r</source>
        <translation>无效的 %(type)s 值：%(value)r</translation>
    </message>
    <message>
        <source>invalid choice: %(value)r (choose from %(choices)s)</source>
        <translation>无效的选择：%(value)r（可选：%(choices)s）</translation>
    </message>
</context>
<context>
    <name>cases</name>
    <message>
        <source>no 类别 or 小类</source>
        <translation>没有 类别 或 小类</translation>
    </message>
    <message>
        <source>no building with code {code!r}</source>
        <translation>没有编号为 {code!r} 的建筑</translation>
    </message>
    <message>
        <source>address {text!r} names {n} buildings</source>
        <translation>地址 {text!r} 对应 {n} 栋建筑</translation>
    </message>
    <message>
        <source>no building at address {text!r}</source>
        <translation>地址 {text!r} 处没有建筑</translation>
    </message>
    <message>
        <source>no building code, address or coordinates</source>
        <translation>没有楼栋编号、地址或坐标</translation>
    </message>
    <message>
        <source>coordinates are not numbers</source>
        <translation>坐标不是数字</translation>
    </message>
    <message>
        <source>coordinates ({x:.1f}, {y:.1f}) are not on or within {m:.0f} m of a building</source>
        <translation>坐标（{x:.1f}, {y:.1f}）不在任何建筑上，也不在其 {m:.0f} 米以内</translation>
    </message>
    <message>
        <source>{kind} alarm</source>
        <translation>{kind}告警</translation>
    </message>
    <message>
        <source>opened from alert</source>
        <translation>由告警自动立案</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>3D digital-twin viewer for sub-district planners.</source>
        <translation>面向街道规划人员的三维数字孪生查看器。</translation>
    </message>
    <message>
        <source>show the version and exit</source>
        <translation>显示版本号并退出</translation>
    </message>
    <message>
        <source>open the main window (default command)</source>
        <translation>打开主窗口（默认命令）</translation>
    </message>
    <message>
        <source>a scene file or data files (default: demo scene)</source>
        <translation>一个场景文件或若干数据文件（默认：演示场景）</translation>
    </message>
    <message>
        <source>layers, CRS, bounds and object counts of a file</source>
        <translation>显示文件的图层、坐标参考系、范围和对象数量</translation>
    </message>
    <message>
        <source>a scene or data file (default: demo scene)</source>
        <translation>场景文件或数据文件（默认：演示场景）</translation>
    </message>
    <message>
        <source>planning analysis: sunlight hours, camera coverage, sight lines, height limits</source>
        <translation>规划分析：日照、监控覆盖、通视、控高</translation>
    </message>
    <message>
        <source>scene file (.toml) or data files</source>
        <translation>场景文件（.toml）或数据文件</translation>
    </message>
    <message>
        <source>case figures of a scene; &apos;cases SCENE transition ID STATE&apos; moves a case; &apos;cases import SCENE SHEET&apos; files a hazard sweep</source>
        <translation>场景的案件统计；&apos;cases SCENE transition ID STATE&apos; 流转案件；&apos;cases import SCENE SHEET&apos; 导入隐患排查表</translation>
    </message>
    <message>
        <source>SCENE [transition CASE_ID STATE] or import SCENE SHEET</source>
        <translation>SCENE [transition 案件编号 状态] 或 import SCENE 表格</translation>
    </message>
    <message>
        <source>print one JSON object</source>
        <translation>输出一个 JSON 对象</translation>
    </message>
    <message>
        <source>the note or reason of a transition</source>
        <translation>流转的备注或理由</translation>
    </message>
    <message>
        <source>a photo or document to attach</source>
        <translation>要附加的照片或文件</translation>
    </message>
    <message>
        <source>who does it (default: the login name)</source>
        <translation>操作人（默认：登录名）</translation>
    </message>
    <message>
        <source>the role acting (only a checker closes a case)</source>
        <translation>操作角色（只有核查员能结案）</translation>
    </message>
    <message>
        <source>file the rows that match and list the others (default: file nothing while a row is unmatched)</source>
        <translation>立案已匹配的行并列出其余各行（默认：只要有一行未匹配就不立案）</translation>
    </message>
    <message>
        <source>the buildings layer the sweep&apos;s rows are matched to (default: 建筑)</source>
        <translation>排查表各行所匹配的建筑图层（默认：建筑）</translation>
    </message>
    <message>
        <source>hear the scene&apos;s MQTT broker headless and record alerts and cases</source>
        <translation>无界面监听场景的 MQTT 代理并记录告警和案件</translation>
    </message>
    <message>
        <source>mqtt://host:1883 (default: [live] broker of the scene file)</source>
        <translation>mqtt://host:1883（默认：场景文件的 [live] broker）</translation>
    </message>
    <message>
        <source>stop after SECONDS (default: until interrupted)</source>
        <translation>运行 SECONDS 秒后停止（默认：直到被中断）</translation>
    </message>
    <message>
        <source>print the final report as JSON</source>
        <translation>以 JSON 打印最终报告</translation>
    </message>
    <message>
        <source>usage: twinviewer cases import SCENE SHEET</source>
        <translation>用法：twinviewer cases import SCENE 表格</translation>
    </message>
    <message>
        <source>usage: twinviewer cases SCENE [transition CASE_ID STATE]</source>
        <translation>用法：twinviewer cases SCENE [transition 案件编号 状态]</translation>
    </message>
    <message>
        <source>{cases} cases, {open} open, {overdue} overdue</source>
        <translation>{cases} 件案件，未结 {open} 件，超期 {overdue} 件</translation>
    </message>
    <message>
        <source>closed {closed}, on time {on_time}, rework {rework}, extended {extended}</source>
        <translation>结案率 {closed}，按期结案率 {on_time}，返工率 {rework}，延期率 {extended}</translation>
    </message>
    <message>
        <source>alerts: {firing} firing, {acknowledged} acknowledged, {resolved} resolved, {silenced} silenced</source>
        <translation>告警：告警中 {firing}，已确认 {acknowledged}，已恢复 {resolved}，已静默 {silenced}</translation>
    </message>
    <message>
        <source>{cid}: {src} -&gt; {dst}</source>
        <translation>{cid}：从{src}转到{dst}</translation>
    </message>
    <message>
        <source>sweep {file} row {row}</source>
        <translation>排查表 {file} 第 {row} 行</translation>
    </message>
    <message>
        <source>row {row}: {reason}</source>
        <translation>第 {row} 行：{reason}</translation>
    </message>
    <message>
        <source>{filed} cases filed from {matched} of {rows} rows</source>
        <translation>{rows} 行中匹配 {matched} 行，立案 {filed} 件</translation>
    </message>
    <message>
        <source>{n} of {rows} rows are unmatched: nothing was filed (fix them or give --partial)</source>
        <translation>{rows} 行中有 {n} 行未匹配：未立案（请修正或使用 --partial）</translation>
    </message>
    <message>
        <source>write the results into the scene&apos;s GeoPackage store, parameters logged</source>
        <translation>将结果写入场景的 GeoPackage 数据库，并在日志中记录参数</translation>
    </message>
    <message>
        <source>name written to the edit log (default: the login name)</source>
        <translation>写入编辑日志的用户名（默认：登录名）</translation>
    </message>
    <message>
        <source>sunlight hours per floor (日照分析, GB 50180-2018 presets)</source>
        <translation>逐层日照时数（日照分析，GB 50180-2018 标准）</translation>
    </message>
    <message>
        <source>dahan2 (大寒日 ≥2h), dahan3 (大寒日 ≥3h) or dongzhi1 (冬至日 ≥1h)</source>
        <translation>dahan2（大寒日 ≥2小时）、dahan3（大寒日 ≥3小时）或 dongzhi1（冬至日 ≥1小时）</translation>
    </message>
    <message>
        <source>year of the solar term (default: this year)</source>
        <translation>节气所在年份（默认：今年）</translation>
    </message>
    <message>
        <source>another day (YYYY-MM-DD) instead of the preset&apos;s</source>
        <translation>改用其他日期（YYYY-MM-DD）代替标准日</translation>
    </message>
    <message>
        <source>required hours (default: the preset&apos;s)</source>
        <translation>要求的小时数（默认：按标准）</translation>
    </message>
    <message>
        <source>minutes between sun positions (default 15)</source>
        <translation>太阳位置的时间间隔，分钟（默认 15）</translation>
    </message>
    <message>
        <source>metres between sample points along a façade (default 3)</source>
        <translation>沿立面采样点间距，米（默认 3）</translation>
    </message>
    <message>
        <source>building layer</source>
        <translation>建筑图层</translation>
    </message>
    <message>
        <source>analyse only buildings where EXPR holds, e.g. &quot;类别 = &apos;住宅楼&apos;&quot;</source>
        <translation>只分析满足 表达式 的建筑，例如 &quot;类别 = &apos;住宅楼&apos;&quot;</translation>
    </message>
    <message>
        <source>field with the number of floors (default 层数)</source>
        <translation>层数字段（默认 层数）</translation>
    </message>
    <message>
        <source>shadow animation over a day as an MP4 video (日照阴影)</source>
        <translation>一天中的阴影动画，导出为 MP4 视频（日照阴影）</translation>
    </message>
    <message>
        <source>the day (YYYY-MM-DD; default: this year&apos;s 大寒)</source>
        <translation>日期（YYYY-MM-DD；默认：今年的大寒日）</translation>
    </message>
    <message>
        <source>first frame, true solar time (default 08:00)</source>
        <translation>第一帧，真太阳时（默认 08:00）</translation>
    </message>
    <message>
        <source>last frame, true solar time (default 16:00)</source>
        <translation>最后一帧，真太阳时（默认 16:00）</translation>
    </message>
    <message>
        <source>minutes between frames (default 15)</source>
        <translation>帧间隔分钟数（默认 15）</translation>
    </message>
    <message>
        <source>video size WxH (default 1280x720)</source>
        <translation>视频尺寸 宽x高（默认 1280x720）</translation>
    </message>
    <message>
        <source>frames per second (default 4)</source>
        <translation>每秒帧数（默认 4）</translation>
    </message>
    <message>
        <source>the scene&apos;s bookmark to film from (default: the whole scene)</source>
        <translation>拍摄所用的场景书签（默认：整个场景）</translation>
    </message>
    <message>
        <source>ground the cameras see, covered shares and blind roads (视频监控盲区)</source>
        <translation>摄像头可见地面、覆盖率和盲区道路（视频监控盲区）</translation>
    </message>
    <message>
        <source>camera layer</source>
        <translation>摄像头图层</translation>
    </message>
    <message>
        <source>comma-separated layers that hide ground (default: every triangle layer)</source>
        <translation>遮挡地面的图层，逗号分隔（默认：所有三角网图层）</translation>
    </message>
    <message>
        <source>compound layer</source>
        <translation>小区图层</translation>
    </message>
    <message>
        <source>road layer</source>
        <translation>道路图层</translation>
    </message>
    <message>
        <source>camera range in metres (default: the view cone&apos;s)</source>
        <translation>摄像头视距，米（默认：按视域锥）</translation>
    </message>
    <message>
        <source>field of view in degrees (default: the view cone&apos;s)</source>
        <translation>视场角，度（默认：按视域锥）</translation>
    </message>
    <message>
        <source>line of sight between two points (scene CRS coordinates)</source>
        <translation>两点间通视（场景坐标参考系坐标）</translation>
    </message>
    <message>
        <source>objects rising above a control surface (控高)</source>
        <translation>超出控制面的对象（控高）</translation>
    </message>
    <message>
        <source>the limited area, in the scene CRS</source>
        <translation>限高区域（场景坐标参考系）</translation>
    </message>
    <message>
        <source>limit in metres above the ground inside --polygon</source>
        <translation>--polygon 内的离地限高，米</translation>
    </message>
    <message>
        <source>--height is an elevation, not a height above the ground</source>
        <translation>--height 为高程，而非离地高度</translation>
    </message>
    <message>
        <source>the limit is the plane through three points (scene CRS)</source>
        <translation>限高面为过三点的平面（场景坐标参考系）</translation>
    </message>
    <message>
        <source>comma-separated layers to check (default: every triangle layer)</source>
        <translation>要检查的图层，逗号分隔（默认：所有三角网图层）</translation>
    </message>
    <message>
        <source>distance, length, area or coordinates of points (scene CRS)</source>
        <translation>点的距离、长度、面积或坐标（场景坐标参考系）</translation>
    </message>
    <message>
        <source>for height: the object</source>
        <translation>高度测量：指定对象</translation>
    </message>
    <message>
        <source>{n} buildings, {s} sample points, {t} sun positions on {day} ({start:g}-{end:g} h true solar time) in {sec:.1f} s</source>
        <translation>{day}：{n} 栋建筑，{s} 个采样点，{t} 个太阳位置（真太阳时 {start:g}-{end:g} 时），用时 {sec:.1f} 秒</translation>
    </message>
    <message>
        <source>{k} below {h:g} h:</source>
        <translation>{k} 栋不足 {h:g} 小时：</translation>
    </message>
    <message>
        <source>floors {floors}</source>
        <translation>楼层 {floors}</translation>
    </message>
    <message>
        <source>saved {n} changes</source>
        <translation>已保存 {n} 处修改</translation>
    </message>
    <message>
        <source>--fps {value:g} is out of range (0.1 to 240)</source>
        <translation>--fps {value:g} 超出范围（0.1 到 240）</translation>
    </message>
    <message>
        <source>{n} cameras see {a:,.0f} m² of ground ({sec:.2f} s); {k} road pieces ({l:,.0f} m) no camera sees</source>
        <translation>{n} 个摄像头可见地面 {a:,.0f} m²（{sec:.2f} 秒）；{k} 段道路（{l:,.0f} 米）无摄像头覆盖</translation>
    </message>
    <message>
        <source>covered share per compound (ground / roads):</source>
        <translation>各小区覆盖率（地面 / 道路）：</translation>
    </message>
    <message>
        <source>saved to {store}</source>
        <translation>已保存到 {store}</translation>
    </message>
    <message>
        <source>visible ({d:.2f} m)</source>
        <translation>可见（{d:.2f} 米）</translation>
    </message>
    <message>
        <source>blocked after {d:.2f} m by {layer} object {oid}</source>
        <translation>在 {d:.2f} 米处被 {layer} 的对象 {oid} 遮挡</translation>
    </message>
    <message>
        <source>{layer}: {n} objects above the limit</source>
        <translation>{layer}：{n} 个对象超过限高</translation>
    </message>
    <message>
        <source>render a scene or data file to PNG, offscreen</source>
        <translation>离屏将场景或数据文件渲染为 PNG</translation>
    </message>
    <message>
        <source>PNG file to write</source>
        <translation>要写入的 PNG 文件</translation>
    </message>
    <message>
        <source>image size WxH (default 1600x1000)</source>
        <translation>图像尺寸 宽x高（默认 1600x1000）</translation>
    </message>
    <message>
        <source>render a walkthrough path of a scene to an MP4 video</source>
        <translation>将场景的漫游路径渲染为 MP4 视频</translation>
    </message>
    <message>
        <source>the scene file</source>
        <translation>场景文件</translation>
    </message>
    <message>
        <source>name of the walkthrough path (default: the scene&apos;s first)</source>
        <translation>漫游路径名称（默认：场景中的第一条）</translation>
    </message>
    <message>
        <source>MP4 file to write</source>
        <translation>要写入的 MP4 文件</translation>
    </message>
    <message>
        <source>video size WxH (default 1920x1080)</source>
        <translation>视频尺寸 宽x高（默认 1920x1080）</translation>
    </message>
    <message>
        <source>frames per second (default 30)</source>
        <translation>每秒帧数（默认 30）</translation>
    </message>
    <message>
        <source>leave the captions out</source>
        <translation>不加字幕</translation>
    </message>
    <message>
        <source>generate a demo district of any size</source>
        <translation>生成任意规模的演示街区</translation>
    </message>
    <message>
        <source>about how many objects</source>
        <translation>大约多少个对象</translation>
    </message>
    <message>
        <source>folder for scene.toml and district.gpkg</source>
        <translation>存放 scene.toml 和 district.gpkg 的文件夹</translation>
    </message>
    <message>
        <source>bring vector or CityJSON files into a GeoPackage store</source>
        <translation>将矢量或 CityJSON 文件导入 GeoPackage 数据库</translation>
    </message>
    <message>
        <source>vector (Shapefile, GeoJSON, ...) or CityJSON files</source>
        <translation>矢量文件（Shapefile、GeoJSON 等）或 CityJSON 文件</translation>
    </message>
    <message>
        <source>the .gpkg store (created when missing)</source>
        <translation>.gpkg 数据库（不存在时新建）</translation>
    </message>
    <message>
        <source>table name (one imported table only)</source>
        <translation>表名（仅限导入一个表时）</translation>
    </message>
    <message>
        <source>import only this layer of a multi-layer file</source>
        <translation>只导入多图层文件中的这个图层</translation>
    </message>
    <message>
        <source>replace a table of the same name</source>
        <translation>替换同名的表</translation>
    </message>
    <message>
        <source>print the edit log of a GeoPackage store</source>
        <translation>输出 GeoPackage 数据库的编辑日志</translation>
    </message>
    <message>
        <source>only this object</source>
        <translation>仅此对象</translation>
    </message>
    <message>
        <source>only this layer (table)</source>
        <translation>仅此图层（表）</translation>
    </message>
    <message>
        <source>print one JSON array</source>
        <translation>输出一个 JSON 数组</translation>
    </message>
    <message>
        <source>apply a spreadsheet of corrections (layer, oid, fields...)</source>
        <translation>应用一份更正表格（图层、oid、字段……）</translation>
    </message>
    <message>
        <source>CSV file, UTF-8 or GBK: columns layer, oid, then fields</source>
        <translation>CSV 文件，UTF-8 或 GBK 编码：各列依次为 layer、oid 和字段</translation>
    </message>
    <message>
        <source>apply the good rows even when some are refused</source>
        <translation>即使部分行被拒绝，也应用其余正确的行</translation>
    </message>
    <message>
        <source>name for the edit log (default: OS user)</source>
        <translation>写入编辑日志的用户名（默认：操作系统用户）</translation>
    </message>
    <message>
        <source>print the report as JSON</source>
        <translation>以 JSON 格式输出报告</translation>
    </message>
    <message>
        <source>copy a scene&apos;s GeoPackage layers, schema and edit log into PostGIS</source>
        <translation>将场景的 GeoPackage 图层、表结构和编辑日志复制到 PostGIS</translation>
    </message>
    <message>
        <source>scene file (.toml) or GeoPackage (.gpkg)</source>
        <translation>场景文件（.toml）或 GeoPackage（.gpkg）</translation>
    </message>
    <message>
        <source>postgresql://USER@HOST:PORT/DB (no password: use ~/.pgpass, PGPASSWORD or a service file)</source>
        <translation>postgresql://用户@主机:端口/数据库（不含密码：请使用 ~/.pgpass、PGPASSWORD 或服务文件）</translation>
    </message>
    <message>
        <source>also treat FIELD or TABLE.FIELD as sensitive</source>
        <translation>同时将 字段 或 表.字段 视为敏感字段</translation>
    </message>
    <message>
        <source>replace layers already published</source>
        <translation>替换已发布的图层</translation>
    </message>
    <message>
        <source>write a scene file that opens the twin from PostGIS</source>
        <translation>写出一个从 PostGIS 打开数字孪生的场景文件</translation>
    </message>
    <message>
        <source>count and sum the objects inside an area, as the summary panel does</source>
        <translation>统计某一区域内的对象数量并求和（与汇总面板相同）</translation>
    </message>
    <message>
        <source>a scene file or a data file</source>
        <translation>一个场景文件或数据文件</translation>
    </message>
    <message>
        <source>the area is this object&apos;s footprint, e.g. 小区:3 (layer name or table)</source>
        <translation>以该对象的占地范围为区域，例如 小区:3（图层名或表名）</translation>
    </message>
    <message>
        <source>the area is this Polygon or MultiPolygon, in the scene&apos;s CRS</source>
        <translation>以该 Polygon 或 MultiPolygon 为区域（场景坐标参考系）</translation>
    </message>
    <message>
        <source>keep only objects where EXPR holds (SQLite WHERE syntax, as the table&apos;s filter bar); layers lacking a field EXPR names are left out</source>
        <translation>只保留满足 表达式 的对象（SQLite WHERE 语法，与属性表的筛选栏相同）；缺少表达式中字段的图层将被排除</translation>
    </message>
    <message>
        <source>numeric fields to sum (default: 户数,人口)</source>
        <translation>要求和的数值字段（默认：户数,人口）</translation>
    </message>
    <message>
        <source>print one JSON object: objects, classes, layers, sums, oids</source>
        <translation>输出一个 JSON 对象：对象、类别、图层、合计、oid</translation>
    </message>
    <message>
        <source>also write what the Summary dock exports for these objects: .csv, .xlsx, .pdf or .png (report)</source>
        <translation>同时写出汇总面板为这些对象导出的文件：.csv、.xlsx、.pdf 或 .png（报告）</translation>
    </message>
    <message>
        <source>saved filter of the exported special-care list (default: the scene&apos;s first)</source>
        <translation>导出的特殊关爱名单所用的已保存筛选（默认：场景中的第一个）</translation>
    </message>
    <message>
        <source>3D Tiles: convert OSGB into a cache</source>
        <translation>3D Tiles：将 OSGB 转换为缓存</translation>
    </message>
    <message>
        <source>not enough memory</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <source>internal error: {detail}</source>
        <translation>内部错误：{detail}</translation>
    </message>
    <message>
        <source>generating the demo scene (first use)…</source>
        <translation>正在生成演示场景（首次使用）…</translation>
    </message>
    <message>
        <source>{table}: {n} objects -&gt; {url}</source>
        <translation>{table}：{n} 个对象 -&gt; {url}</translation>
    </message>
    <message>
        <source>(sensitive: {fields})</source>
        <translation>（敏感字段：{fields}）</translation>
    </message>
    <message>
        <source>edit log: {n} rows; roles: {roles}</source>
        <translation>编辑日志：{n} 行；角色：{roles}</translation>
    </message>
    <message>
        <source>--sum names no field (write --sum 户数,人口)</source>
        <translation>--sum 没有指定字段（请写成 --sum 户数,人口）</translation>
    </message>
    <message>
        <source>--sum: no layer has a numeric field {field}</source>
        <translation>--sum：没有图层包含数值字段 {field}</translation>
    </message>
    <message>
        <source>the polygon</source>
        <translation>该多边形</translation>
    </message>
    <message>
        <source>{n} objects within {area} where {expr} ({crs})</source>
        <translation>{area} 范围内满足 {expr} 的对象共 {n} 个（{crs}）</translation>
    </message>
    <message>
        <source>{n} objects within {area} ({crs})</source>
        <translation>{area} 范围内共 {n} 个对象（{crs}）</translation>
    </message>
    <message>
        <source>classes:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <source>{field}: total {total}, mean {mean}</source>
        <translation>{field}：合计 {total}，平均 {mean}</translation>
    </message>
    <message>
        <source>error: {message}</source>
        <translation>错误：{message}</translation>
    </message>
    <message>
        <source>{path}: {objects} objects in {layers} layers</source>
        <translation>{path}：{layers} 个图层，共 {objects} 个对象</translation>
    </message>
    <message>
        <source>no geometry</source>
        <translation>无几何</translation>
    </message>
    <message>
        <source>{name}  ({kind}, {crs}): {objects} objects, {box}</source>
        <translation>{name}  （{kind}，{crs}）：{objects} 个对象，{box}</translation>
    </message>
    <message>
        <source>no CRS</source>
        <translation>无坐标参考系</translation>
    </message>
    <message>
        <source>--size {value!r} is not WIDTHxHEIGHT, e.g. 1920x1080</source>
        <translation>--size {value!r} 不是“宽x高”格式，例如 1920x1080</translation>
    </message>
    <message>
        <source>--size {value!r} is out of range (16 to 16384 pixels)</source>
        <translation>--size {value!r} 超出范围（16 到 16384 像素）</translation>
    </message>
    <message>
        <source>the output must be a {suffix} file</source>
        <translation>输出必须是 {suffix} 文件</translation>
    </message>
    <message>
        <source>the output folder does not exist</source>
        <translation>输出文件夹不存在</translation>
    </message>
    <message>
        <source>wrote {path} ({width}x{height})</source>
        <translation>已写入 {path}（{width}x{height}）</translation>
    </message>
    <message>
        <source>--size {value!r}: width and height must be even for H.264</source>
        <translation>--size {value!r}：H.264 要求宽和高均为偶数</translation>
    </message>
    <message>
        <source>--fps {value:g} is out of range (1 to 240)</source>
        <translation>--fps {value:g} 超出范围（1 到 240）</translation>
    </message>
    <message>
        <source>video needs a scene file (.toml) with [[paths]]</source>
        <translation>生成视频需要一个包含 [[paths]] 的场景文件（.toml）</translation>
    </message>
    <message>
        <source>the scene has no walkthrough path ([[paths]])</source>
        <translation>场景中没有漫游路径（[[paths]]）</translation>
    </message>
    <message>
        <source>no path named {name!r} (paths: {names})</source>
        <translation>没有名为 {name!r} 的路径（现有路径：{names}）</translation>
    </message>
    <message>
        <source>{done}/{total} frames</source>
        <translation>{done}/{total} 帧</translation>
    </message>
    <message>
        <source>wrote {path} ({width}x{height}, {frames} frames, {seconds:.1f} s)</source>
        <translation>已写入 {path}（{width}x{height}，{frames} 帧，{seconds:.1f} 秒）</translation>
    </message>
    <message>
        <source>wrote {path}</source>
        <translation>已写入 {path}</translation>
    </message>
    <message>
        <source>{source} -&gt; {store}:{table}  ({objects} objects, {geometry}, {crs})</source>
        <translation>{source} -&gt; {store}:{table}  （{objects} 个对象，{geometry}，{crs}）</translation>
    </message>
    <message>
        <source>no saved edits for this object</source>
        <translation>此对象没有已保存的编辑</translation>
    </message>
    <message>
        <source>no saved edits</source>
        <translation>没有已保存的编辑</translation>
    </message>
    <message>
        <source>{csv} ({encoding}): {changed} rows changed, {unchanged} unchanged, {refused} refused</source>
        <translation>{csv}（{encoding}）：已修改 {changed} 行，{unchanged} 行未变，{refused} 行被拒绝</translation>
    </message>
    <message>
        <source>{csv} ({encoding}): {changed} rows would change, {unchanged} unchanged, {refused} refused</source>
        <translation>{csv}（{encoding}）：将修改 {changed} 行，{unchanged} 行未变，{refused} 行被拒绝</translation>
    </message>
    <message>
        <source>refused {row}</source>
        <translation>已拒绝 {row}</translation>
    </message>
    <message>
        <source>{csv}: {n} rows refused; nothing was changed (fix them, or apply the others with --partial)</source>
        <translation>{csv}：{n} 行被拒绝；未做任何修改（请修正这些行，或用 --partial 应用其余行）</translation>
    </message>
    <message>
        <source>{path}: 3D Tiles {version}, {tiles} tiles, {contents} contents, depth {depth}</source>
        <translation>{path}：3D Tiles {version}，{tiles} 个瓦片，{contents} 个内容，深度 {depth}</translation>
    </message>
    <message>
        <source>CRS: {crs}</source>
        <translation>坐标系：{crs}</translation>
    </message>
    <message>
        <source>write per tiles layer tiles_drawn, deepest_level and resident_bytes to this JSON file</source>
        <translation>将每个瓦片图层的 tiles_drawn、deepest_level 和 resident_bytes 写入此 JSON 文件</translation>
    </message>
    <message>
        <source>LAYER:OID[,OID...]: render with these objects highlighted</source>
        <translation>LAYER:OID[,OID...]：渲染时高亮这些对象</translation>
    </message>
    <message>
        <source>render from this bookmark of the scene file</source>
        <translation>从场景文件中的此书签视角渲染</translation>
    </message>
    <message>
        <source>seconds to wait for the view&apos;s tiles (default 60)</source>
        <translation>等待视图瓦片加载的秒数（默认 60）</translation>
    </message>
    <message>
        <source>no bookmark named {name!r} (bookmarks: {names})</source>
        <translation>没有名为 {name!r} 的书签（现有书签：{names}）</translation>
    </message>
    <message>
        <source>--select {value!r} is not LAYER:OID[,OID...]</source>
        <translation>--select {value!r} 不是 LAYER:OID[,OID...] 格式</translation>
    </message>
    <message>
        <source>--select: no layer named {name!r}</source>
        <translation>--select：没有名为 {name!r} 的图层</translation>
    </message>
    <message>
        <source>--select: layer {name!r} has no object {oid}</source>
        <translation>--select：图层 {name!r} 中没有对象 {oid}</translation>
    </message>
    <message>
        <source>warning: not every tile arrived within {s:g} s</source>
        <translation>警告：并非所有瓦片都在 {s:g} 秒内加载完成</translation>
    </message>
    <message>
        <source>convert an OSGB (ContextCapture) folder into a 3D Tiles cache, resumable</source>
        <translation>将 OSGB（ContextCapture）文件夹转换为 3D Tiles 缓存，可断点续转</translation>
    </message>
    <message>
        <source>folder with metadata.xml and Data/</source>
        <translation>含 metadata.xml 和 Data/ 的文件夹</translation>
    </message>
    <message>
        <source>output folder (tileset.json, tiles/, manifest.jsonl)</source>
        <translation>输出文件夹（tileset.json、tiles/、manifest.jsonl）</translation>
    </message>
    <message>
        <source>files converted at once (default: CPU count)</source>
        <translation>同时转换的文件数（默认：CPU 核数）</translation>
    </message>
    <message>
        <source>print the summary as JSON</source>
        <translation>以 JSON 输出摘要</translation>
    </message>
    <message>
        <source>[{done}/{known}] converted {file}</source>
        <translation>[{done}/{known}] 已转换 {file}</translation>
    </message>
    <message>
        <source>warning: {message}</source>
        <translation>警告：{message}</translation>
    </message>
    <message>
        <source>{tileset}: {tiles} tiles, {contents} contents, depth {depth}, {converted} files converted now</source>
        <translation>{tileset}：{tiles} 个瓦片，{contents} 个内容，深度 {depth}，本次转换 {converted} 个文件</translation>
    </message>
    <message>
        <source>{path} (osgb, {crs}): {tiles} tiles, {contents} contents, depth {depth}, {box}</source>
        <translation>{path}（osgb，{crs}）：{tiles} 个瓦片，{contents} 个内容，深度 {depth}，{box}</translation>
    </message>
    <message>
        <source>tile matrix set: {tms}</source>
        <translation>瓦片矩阵集：{tms}</translation>
    </message>
    <message>
        <source>zoom levels: {zooms}</source>
        <translation>缩放级别：{zooms}</translation>
    </message>
    <message>
        <source>bounds: {x0:.3f}, {y0:.3f} - {x1:.3f}, {y1:.3f}</source>
        <translation>范围：{x0:.3f}, {y0:.3f} - {x1:.3f}, {y1:.3f}</translation>
    </message>
    <message>
        <source>missing zoom levels: {zooms}</source>
        <translation>缺少的缩放级别：{zooms}</translation>
    </message>
    <message>
        <source>role: {role}</source>
        <translation>用途：{role}</translation>
    </message>
    <message>
        <source>size: {width} x {height} cells, {bands} bands, {dtype}</source>
        <translation>大小：{width} × {height} 像元，{bands} 个波段，{dtype}</translation>
    </message>
    <message>
        <source>nodata: {nodata}</source>
        <translation>无数据值：{nodata}</translation>
    </message>
    <message>
        <source>overviews: {levels}</source>
        <translation>金字塔：{levels}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>heights in: {unit}</source>
        <translation>高程单位：{unit}</translation>
    </message>
    <message>
        <source>{received} messages, {recorded} recorded, {dup} duplicates, {bad} refused, {missed} missed; {cases} cases opened</source>
        <translation>{received} 条消息，记录 {recorded} 条，重复 {dup} 条，拒收 {bad} 条，缺失 {missed} 条；自动立案 {cases} 件</translation>
    </message>
    <message>
        <source>connection dropped {n} times, {s} s down</source>
        <translation>连接中断 {n} 次，共 {s} 秒</translation>
    </message>
</context>
<context>
    <name>loader</name>
    <message>
        <source>reprojecting</source>
        <translation>正在重投影</translation>
    </message>
</context>
</TS>
