// The console's own script (a file: the Content-Security-Policy allows no inline script). It asks before
// a form marked data-confirm is sent, uploads files with a progress bar (file field or drag and drop),
// and draws the charts from the data-* attributes the server renders (updated by htmx's polling).
'use strict';

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.upload !== undefined) {
    event.preventDefault();
    upload(form);
  }
});

function upload(form) {
  const input = form.querySelector('input[type="file"]');
  const progress = form.querySelector('progress');
  const result = document.getElementById(form.dataset.upload);
  if (!input || !input.files || input.files.length === 0) {
    if (result) result.textContent = 'Choose a CSV file first.';
    return;
  }
  const request = new XMLHttpRequest();
  request.open('POST', form.action);
  request.setRequestHeader('x-csrf-token', form.querySelector('input[name="_csrf"]').value);
  request.setRequestHeader('x-console-fragment', '1');
  progress.hidden = false;
  progress.value = 0;
  request.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) progress.value = event.loaded / event.total;
  });
  request.addEventListener('load', () => {
    progress.value = 1;
    form.reset();
    if (!result) return;
    // Only a fragment this console rendered (every value escaped) is inserted as HTML; anything else
    // (a proxy's error page, a JSON error) is reported as plain text.
    if (isOwnFragment(request)) result.innerHTML = request.responseText;
    else result.textContent = `The upload failed: the server answered ${request.status} ${request.statusText}`.trim() + '.';
  });
  request.addEventListener('error', () => {
    if (result) result.textContent = 'The upload failed: the server could not be reached.';
  });
  if (result) result.textContent = 'Uploading…';
  request.send(new FormData(form));
}

function isOwnFragment(request) {
  const type = request.getResponseHeader('content-type') || '';
  return request.getResponseHeader('x-console-fragment') === '1' && /^text\/html(;|$)/i.test(type);
}

for (const zone of document.querySelectorAll('.dropzone')) {
  const form = zone.closest('form');
  const input = form.querySelector('input[type="file"]');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
}

const charts = new Map();

function drawCharts() {
  const data = document.getElementById('chart-data');
  if (!data || typeof Chart === 'undefined') return;
  draw('outcomes-chart', 'bar', JSON.parse(data.dataset.outcomes), 'Contacts');
  draw('rate-chart', 'line', JSON.parse(data.dataset.rate), 'Dials per second');
}

function draw(id, type, points, label) {
  const canvas = document.getElementById(id);
  if (!canvas) return;
  const labels = points.map((point) => point.label);
  const values = points.map((point) => point.value);
  const existing = charts.get(id);
  if (existing && existing.canvas === canvas) {
    existing.data.labels = labels;
    existing.data.datasets[0].data = values;
    existing.update('none');
    return;
  }
  charts.set(
    id,
    new Chart(canvas, {
      type,
      data: { labels, datasets: [{ label, data: values, backgroundColor: '#1f5fbf', borderColor: '#1f5fbf' }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    }),
  );
}

drawCharts();
document.body.addEventListener('htmx:afterSettle', drawCharts);
