// The admin page: lists nodes, rooms and a room's participants from the admin REST API of the
// node that serves it (every node answers for the whole mesh), refreshing every few seconds.
// The bearer key is kept in sessionStorage for this tab only.

const REFRESH_MS = 3000;
const ROOM_PAGE = 200;
const $ = (selector) => document.querySelector(selector);
let key = sessionStorage.getItem('signalmesh-admin-key') || '';
let openRoom = null;

$('#key').value = key;
$('#key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  key = $('#key').value.trim();
  sessionStorage.setItem('signalmesh-admin-key', key);
  refresh();
});

async function api(method, path) {
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  const response = await fetch(path, { method, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function pill(text, kind) {
  const td = document.createElement('td');
  const span = document.createElement('span');
  span.className = `pill ${kind}`;
  span.textContent = text;
  td.append(span);
  return td;
}

function button(label, onClick, danger) {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (danger) b.className = 'danger';
  b.addEventListener('click', (event) => { event.stopPropagation(); onClick(); });
  td.append(b);
  return td;
}

function fill(table, rows, columns) {
  const body = $(`${table} tbody`);
  body.replaceChildren(...rows);
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = cell('None');
    td.colSpan = columns;
    tr.append(td);
    body.append(tr);
  }
}

function uptime(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

function renderNodes(nodes) {
  fill('[data-testid=nodes]', nodes.map((node) => {
    const tr = document.createElement('tr');
    tr.dataset.node = node.id;
    if (!node.reachable) {
      tr.append(cell(node.id, 'mono'), cell(''), cell(''), cell(''), cell(''), cell(''), cell(''), pill('unreachable', 'bad'), cell(''));
      return tr;
    }
    tr.append(cell(node.id, 'mono'), cell(node.address), cell(node.connections), cell(node.sessions), cell(node.rooms),
      cell(uptime(node.uptimeSeconds)), cell(node.version),
      node.draining ? pill('draining', 'warn') : pill('serving', 'good'),
      node.draining ? cell('') : button('Drain', () => act('POST', `/admin/nodes/${encodeURIComponent(node.id)}/drain`,
        `Drain ${node.id}? Its clients move to other nodes.`), true));
    return tr;
  }), 9);
}

function renderRooms(page) {
  fill('[data-testid=rooms]', page.rooms.map((room) => {
    const tr = document.createElement('tr');
    tr.className = 'room';
    tr.dataset.room = room.roomId;
    tr.tabIndex = 0;
    tr.addEventListener('click', () => { openRoom = room.roomId; refresh(); });
    tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') { openRoom = room.roomId; refresh(); } });
    tr.append(cell(room.roomId, 'mono'), cell(room.participants), cell(room.nodes.join(', '), 'mono'),
      button('Close', () => act('DELETE', `/admin/rooms/${encodeURIComponent(room.roomId)}`,
        `Close room ${room.roomId}? Everyone in it is removed.`), true));
    return tr;
  }), 4);
  $('#more-rooms').hidden = !page.next;
}

function renderRoom(room) {
  $('#room-section').hidden = !room;
  if (!room) return;
  $('#room-title').textContent = `Room ${room.roomId}`;
  fill('[data-testid=participants]', room.participants.map((p) => {
    const tr = document.createElement('tr');
    tr.dataset.participant = p.id;
    tr.append(cell(p.id, 'mono'), cell(p.name), cell(p.node, 'mono'), cell(new Date(p.joinedAt).toLocaleTimeString()),
      pill(p.state, p.state === 'connected' ? 'good' : 'warn'),
      button('Kick', () => act('DELETE', `/admin/rooms/${encodeURIComponent(room.roomId)}/participants/${encodeURIComponent(p.id)}`,
        `Remove ${p.name || p.id} from ${room.roomId}?`), true));
    return tr;
  }), 6);
}

async function act(method, path, question) {
  if (!confirm(question)) return;
  try {
    await api(method, path);
  } catch (error) {
    status(`${method} failed: ${error.message}`, true);
  }
  refresh();
}

function status(text, error) {
  $('#status').textContent = text;
  $('#status').classList.toggle('error', !!error);
}

async function refresh() {
  try {
    const [nodes, rooms] = await Promise.all([api('GET', '/admin/nodes'), api('GET', `/admin/rooms?limit=${ROOM_PAGE}`)]);
    renderNodes(nodes.nodes);
    renderRooms(rooms);
    let room = null;
    if (openRoom) {
      room = await api('GET', `/admin/rooms/${encodeURIComponent(openRoom)}`).catch((error) => {
        if (error.status === 404) { openRoom = null; return null; }
        throw error;
      });
    }
    renderRoom(room);
    status(`Updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    status(error.status === 401 ? 'Enter the admin key' : `Cannot reach the admin API: ${error.message}`, true);
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
