/**
 * The capture step's script, inlined into one nonce'd <script>: plain ES2019 for any recent
 * phone browser, no dependencies. It reads everything it needs from the form's markup (the
 * submit URL, the mode, each field's "missing" message, and its own words in the page's language
 * as `data-message-*` attributes, from the catalogues: see render.ts scriptMessages), so the
 * source is the same for every page and language and nothing dynamic is spliced into JavaScript.
 *
 * What it POSTs, as JSON: `{ document_type, document_front, document_back, selfie, id_number,
 * person_details: { first_name, last_name, dob: { day, month, year } }, test_case, delay }`,
 * leaving out what is absent; images are the `file_…` ids of photos uploaded
 * just before: for each, it asks `POST {page}/uploads` (beside the submit URL) for a presigned
 * upload, and POSTs the photo there as a form (the fields, then the file), as S3 takes it.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var form = document.getElementById('capture-form');
  if (!form) return;

  var errorRegion = document.getElementById('form-error');
  var submitButton = form.querySelector('[data-submit]');
  var submitLabel = submitButton.textContent;
  var submitUrl = form.getAttribute('data-submit-url');
  // Where the page asks for a presigned upload: beside submit, on the page's own path (and query).
  var uploadUrl = submitUrl.replace(/\/submit(?=$|\?)/, '/uploads');
  // The page's words, in its language.
  function message(name) { return form.getAttribute('data-message-' + name) || ''; }
  var testMode = form.getAttribute('data-mode') === 'test';

  // Enough resolution to read a document's smallest print (about 2,500 px on the long side), and
  // under the upload limit of 10 MB; a smaller encoding only if a photo would pass it.
  var MAX_UPLOAD_BYTES = 10485760;
  var ENCODINGS = [
    { longestSide: 2500, quality: 0.9 },
    { longestSide: 2500, quality: 0.75 },
    { longestSide: 1800, quality: 0.75 }
  ];
  var UPLOAD_ERROR = message('upload-error');
  var NETWORK_ERROR = message('network-error');
  var UNEXPECTED_ERROR = message('unexpected-error');

  // A photo taken with the camera, by field name. Choosing a file afterwards replaces it.
  var cameraPhotos = {};
  var activeCamera = null;
  var busy = false;

  function UserFacingError(message, field) {
    this.message = message;
    this.field = field || null;
  }

  function fieldContainer(element) {
    return element && element.closest ? element.closest('[data-field]') : null;
  }

  function clearErrors() {
    errorRegion.textContent = '';
    var invalid = form.querySelectorAll('[aria-invalid="true"]');
    for (var i = 0; i < invalid.length; i++) invalid[i].removeAttribute('aria-invalid');
    var messages = form.querySelectorAll('[data-field-error]');
    for (var j = 0; j < messages.length; j++) messages[j].textContent = '';
  }

  // The alert region announces the message; the same words beside the field show what to fix
  // once focus has moved there.
  function showError(message, field) {
    errorRegion.textContent = message;
    var container = fieldContainer(field);
    var fieldMessage = container ? container.querySelector('[data-field-error]') : null;
    if (field && !field.disabled && fieldMessage) {
      fieldMessage.textContent = message;
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    } else if (field && !field.disabled && field.type !== 'hidden') {
      field.focus();
    } else {
      errorRegion.focus();
    }
  }

  function fieldNamed(name) {
    if (!name) return null;
    var escaped = window.CSS && CSS.escape ? CSS.escape(name) : name.replace(/[^\w-]/g, '');
    return form.querySelector('[name="' + escaped + '"]:checked') ||
      form.querySelector('[name="' + escaped + '"]:not([type="hidden"]):not(:disabled)');
  }

  function setBusy(isBusy) {
    busy = isBusy;
    submitButton.disabled = isBusy;
    submitButton.textContent = isBusy ? message('submitting') : submitLabel;
    form.setAttribute('aria-busy', isBusy ? 'true' : 'false');
  }

  // --- Document type: a passport has no back side.

  function syncBackSide() {
    var backSide = form.querySelector('[data-back-side]');
    if (!backSide) return;
    var chosen = form.querySelector('input[name="document_type"]:checked');
    var isPassport = Boolean(chosen && chosen.value === 'passport');
    if (isPassport && activeCamera && backSide.contains(activeCamera.panel)) stopCamera();
    backSide.hidden = isPassport;
    var controls = backSide.querySelectorAll('input, button');
    for (var i = 0; i < controls.length; i++) controls[i].disabled = isPassport;
  }

  // --- Previews.

  function showPreview(container, src) {
    var preview = container.querySelector('[data-preview]');
    if (!preview) return;
    if (preview.getAttribute('data-object-url')) URL.revokeObjectURL(preview.getAttribute('data-object-url'));
    preview.removeAttribute('data-object-url');
    if (!src) {
      preview.hidden = true;
      preview.removeAttribute('src');
      return;
    }
    if (src.indexOf('blob:') === 0) preview.setAttribute('data-object-url', src);
    preview.src = src;
    preview.hidden = false;
  }

  form.addEventListener('change', function (event) {
    var target = event.target;
    if (target.name === 'document_type') syncBackSide();
    if (target.type === 'file') {
      delete cameraPhotos[target.name];
      var file = target.files && target.files[0];
      showPreview(fieldContainer(target), file ? URL.createObjectURL(file) : null);
    }
  });

  // --- Camera: for browsers that ignore the capture attribute (most desktops).

  function stopCamera() {
    if (!activeCamera) return;
    activeCamera.stream.getTracks().forEach(function (track) { track.stop(); });
    activeCamera.video.srcObject = null;
    activeCamera.panel.hidden = true;
    activeCamera.openButton.hidden = false;
    activeCamera = null;
  }

  function startCamera(openButton) {
    var container = fieldContainer(openButton);
    var input = container.querySelector('input[type="file"]');
    stopCamera();
    clearErrors();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showError(message('camera-unsupported'), input);
      return;
    }
    var facing = openButton.getAttribute('data-facing') || 'environment';
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: facing, width: { ideal: 1920 }, height: { ideal: 1080 } }
    }).then(function (stream) {
      var panel = container.querySelector('[data-camera]');
      var video = panel.querySelector('video');
      activeCamera = { stream: stream, panel: panel, video: video, openButton: openButton, input: input };
      video.srcObject = stream;
      panel.hidden = false;
      openButton.hidden = true;
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () {});
      panel.querySelector('[data-take-photo]').focus();
    }, function (error) {
      var denied = error && (error.name === 'NotAllowedError' || error.name === 'SecurityError');
      var noCamera = error && (error.name === 'NotFoundError' || error.name === 'OverconstrainedError');
      showError(message(denied ? 'camera-denied' : noCamera ? 'camera-missing' : 'camera-failed'), input);
    });
  }

  function takePhoto() {
    var camera = activeCamera;
    if (!camera) return;
    var video = camera.video;
    if (!video.videoWidth || !video.videoHeight) {
      showError(message('camera-starting'), camera.input);
      return;
    }
    var canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    cameraPhotos[camera.input.name] = canvas;
    camera.input.value = '';
    clearErrors();
    showPreview(fieldContainer(camera.input), canvas.toDataURL('image/jpeg', 0.85));
    var openButton = camera.openButton;
    stopCamera();
    openButton.textContent = message('take-again');
    openButton.focus();
  }

  form.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button') : null;
    if (!button || button.type !== 'button') return;
    if (button.hasAttribute('data-open-camera')) startCamera(button);
    else if (button.hasAttribute('data-take-photo')) takePhoto();
    else if (button.hasAttribute('data-close-camera')) {
      var openButton = activeCamera && activeCamera.openButton;
      stopCamera();
      if (openButton) openButton.focus();
    }
  });

  window.addEventListener('pagehide', stopCamera);

  // --- Images: downscaled and re-encoded as JPEG before sending.

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { resolve({ source: image, width: image.naturalWidth, height: image.naturalHeight, url: url }); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error('unreadable image')); };
      image.src = url;
    });
  }

  function canvasBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, 'image/jpeg', quality); });
  }

  async function encodeJpeg(source, width, height) {
    var canvas = document.createElement('canvas');
    var context = canvas.getContext('2d');
    var blob = null;
    for (var i = 0; i < ENCODINGS.length; i++) {
      var scale = Math.min(1, ENCODINGS[i].longestSide / Math.max(width, height));
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      // JPEG has no transparency: without a white ground, transparent pixels turn black.
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      blob = await canvasBlob(canvas, ENCODINGS[i].quality);
      if (blob && blob.size <= MAX_UPLOAD_BYTES) return blob;
    }
    return blob;
  }

  function imageFor(input) {
    var photo = cameraPhotos[input.name];
    if (photo) return Promise.resolve(encodeJpeg(photo, photo.width, photo.height));
    var file = input.files && input.files[0];
    if (!file) return Promise.resolve(null);
    return loadImage(file).then(function (loaded) {
      return encodeJpeg(loaded.source, loaded.width, loaded.height).then(function (blob) {
        URL.revokeObjectURL(loaded.url);
        return blob;
      });
    }, function () {
      throw new UserFacingError(message('unreadable-photo'), input);
    });
  }

  // --- Submitting.

  function firstMissingField() {
    if (testMode) return null;
    var required = form.querySelectorAll('[required]:not(:disabled)');
    for (var i = 0; i < required.length; i++) {
      var field = required[i];
      var present = field.type === 'file'
        ? Boolean(cameraPhotos[field.name] || (field.files && field.files.length))
        : field.value.trim() !== '';
      if (!present) return field;
    }
    return null;
  }

  async function buildPayload() {
    var payload = {};
    var documentType = form.querySelector('input[name="document_type"]:checked') ||
      form.querySelector('input[name="document_type"][type="hidden"]');
    if (documentType) payload.document_type = documentType.value;
    var fileInputs = form.querySelectorAll('input[type="file"]:not(:disabled)');
    for (var i = 0; i < fileInputs.length; i++) {
      var image = await imageFor(fileInputs[i]);
      if (image) payload[fileInputs[i].name] = await upload(image, fileInputs[i]);
    }
    var idNumber = form.querySelector('input[name="id_number"]:not(:disabled)');
    if (idNumber && idNumber.value.trim() !== '') payload.id_number = idNumber.value.trim();
    // A live id_number session's name and date of birth, as typed: the server checks them.
    var typed = function (name) {
      var input = form.querySelector('input[name="' + name + '"]:not(:disabled)');
      return input ? input.value.trim() : null;
    };
    if (typed('person_details[first_name]') !== null) {
      payload.person_details = {
        first_name: typed('person_details[first_name]'),
        last_name: typed('person_details[last_name]') || '',
        dob: {
          day: typed('person_details[dob][day]') || '',
          month: typed('person_details[dob][month]') || '',
          year: typed('person_details[dob][year]') || ''
        }
      };
    }
    if (testMode) {
      var testCase = form.querySelector('[name="test_case"]');
      if (testCase && testCase.value) payload.test_case = testCase.value;
      var delay = form.querySelector('input[name="delay"]');
      payload.delay = Boolean(delay && delay.checked);
    }
    return payload;
  }

  // Asks where to upload (a presigned POST for one JPEG), then sends the photo straight there.
  // The upload's answer is S3's (XML) or the local stand-in's: only its status matters here.
  async function upload(blob, input) {
    var purpose = input.name === 'selfie' ? 'selfie' : 'identity_document';
    var presigned = await requestJson(uploadUrl, { purpose: purpose, content_type: 'image/jpeg' });
    var body = new FormData();
    Object.keys(presigned.fields).forEach(function (name) { body.append(name, presigned.fields[name]); });
    body.append('file', blob, input.name + '.jpg');
    var response;
    try {
      response = await fetch(presigned.url, { method: 'POST', body: body });
    } catch (networkFailure) {
      throw new UserFacingError(UPLOAD_ERROR, input);
    }
    if (!response.ok) throw new UserFacingError(UPLOAD_ERROR, input);
    return presigned.file;
  }

  async function post(payload) {
    var body = await requestJson(submitUrl, payload);
    if (typeof body.redirect_url === 'string') return body.redirect_url;
    throw new UserFacingError(UNEXPECTED_ERROR);
  }

  // A JSON POST to one of the page's own routes; a refusal becomes the error shown beside its field.
  async function requestJson(url, payload) {
    var response;
    try {
      response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload)
      });
    } catch (networkFailure) {
      throw new UserFacingError(NETWORK_ERROR);
    }
    var body = null;
    try {
      body = await response.json();
    } catch (notJson) {
      body = null;
    }
    if (response.ok && body) return body;
    var error = body && body.error;
    throw new UserFacingError(error && error.message ? String(error.message) : UNEXPECTED_ERROR, fieldNamed(error && error.param));
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    var missing = firstMissingField();
    if (missing) {
      showError(missing.getAttribute('data-missing') || message('fill-in'), missing);
      return;
    }
    stopCamera();
    setBusy(true);
    try {
      var redirectUrl = await post(await buildPayload());
      // Stay busy: the page is going away.
      location.assign(redirectUrl);
    } catch (error) {
      setBusy(false);
      if (error instanceof UserFacingError) showError(error.message, error.field);
      else showError(UNEXPECTED_ERROR, null);
    }
  });

  // Test mode: the chosen outcome's description follows the select.
  var testCaseSelect = form.querySelector('[data-test-case]');
  var testCaseDescription = form.querySelector('[data-test-case-description]');
  if (testCaseSelect && testCaseDescription) {
    testCaseSelect.addEventListener('change', function () {
      var chosen = testCaseSelect.options[testCaseSelect.selectedIndex];
      testCaseDescription.textContent = chosen ? chosen.getAttribute('data-description') || '' : '';
    });
  }

  syncBackSide();
  // The button stays disabled without JavaScript: the form can only be sent from here.
  submitButton.disabled = false;
})();
`;
