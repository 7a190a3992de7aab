import { render } from 'preact';
import { BannerApp } from '../../src/ui/banner/app';
import { ticketFromQuery } from '../../src/ui/banner/ticket';
import '../../src/ui/styles.css';
import '../../src/ui/frames.css';
import '../../src/ui/banner/banner.css';

document.documentElement.lang = navigator.language.startsWith('ja') ? 'ja' : 'en';
render(<BannerApp ticket={ticketFromQuery(location.search)} />, document.getElementById('app')!);
