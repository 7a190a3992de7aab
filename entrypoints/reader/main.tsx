import { render } from 'preact';
import { ReaderApp } from '../../src/reader/app';
import { ticketFromHash } from '../../src/ui/frame';
import '../../src/ui/styles.css';
import '../../src/ui/frames.css';

document.documentElement.lang = navigator.language.startsWith('ja') ? 'ja' : 'en';
render(<ReaderApp ticket={ticketFromHash(location.hash)} />, document.getElementById('app')!);
