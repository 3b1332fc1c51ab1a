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
        <source>Column {col}: {msg}    {marked}</source>
        <translation>第 {col} 列：{msg}    {marked}</translation>
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
        <source>Layer colour</source>
        <translation>图层颜色</translation>
    </message>
</context>
<context>
    <name>SummaryPanel</name>
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
</context>
</TS>
